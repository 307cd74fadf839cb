#include "sim/run/huge_page_heap.hpp"

#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc
#include <cstring>

#include "protocols/host/address_sanitizer.hpp"

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define FAULTLINE_HUGE_PAGE_HEAP 1
#endif
#if defined(FAULTLINE_ADDRESS_SANITIZER)
#undef FAULTLINE_HUGE_PAGE_HEAP
#endif

namespace faultline {

bool huge_page_heap_supported() {
#if defined(FAULTLINE_HUGE_PAGE_HEAP)
  return true;
#else
  return false;
#endif
}

bool huge_page_heap_pays(std::uint64_t estimated_run_bytes, std::uint64_t estimated_node_bytes) {
  return estimated_run_bytes <= kHugePageHeapAtMost || estimated_node_bytes < estimated_run_bytes / 2;
}

bool back_heap_with_huge_pages(std::uint64_t estimated_run_bytes, std::uint64_t estimated_node_bytes) {
#if defined(FAULTLINE_HUGE_PAGE_HEAP)
  if (!huge_page_heap_pays(estimated_run_bytes, estimated_node_bytes)) return false;
  if (const char* setting = std::getenv("FAULTLINE_HUGE_PAGES"); setting != nullptr && std::strcmp(setting, "off") == 0)
    return false;
  // Below the trim threshold (1 GiB), so that the free below does not hand
  // the range straight back.
  constexpr std::size_t kReservedHeap = std::size_t{512} << 20;
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // A block larger than the arena's free top (a few MiB of scenario parsing
  // are below it), taken from the arena (under an mmap threshold raised for
  // it), grows the top by itself and the padding, in one brk.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TOP_PAD, static_cast<int>(kReservedHeap));
  void* block = std::malloc(std::size_t{16} << 20);
  void* const top = sbrk(0);
  // glibc's default values again (its dynamic mmap threshold stays off,
  // which matters little: while the reserved top lasts it serves blocks of
  // any size). Should brk be refused, glibc maps the padded size instead;
  // then the block lies above the break and nothing is marked.
  mallopt(M_TOP_PAD, 128 << 10);
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  bool marked = false;
  if (block != nullptr && top != reinterpret_cast<void*>(-1)) {
    const auto from = (reinterpret_cast<std::uintptr_t>(block) + kHugePage - 1) & ~(kHugePage - 1);
    const auto to = reinterpret_cast<std::uintptr_t>(top) & ~(kHugePage - 1);
    // The block came from brk when the break lies above it.
    if (to > from) marked = madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) == 0;
  }
  std::free(block);
  return marked;
#else
  (void)estimated_run_bytes;
  (void)estimated_node_bytes;
  return false;
#endif
}

}  // namespace faultline

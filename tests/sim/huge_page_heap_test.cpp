// The heap in transparent huge pages for a small run (sim/run/huge_page_heap.hpp):
// refused above the size bound and when FAULTLINE_HUGE_PAGES=off; otherwise
// the range a run's blocks then come from is marked for huge pages (the
// kernel's "hg" flag on its mapping), whether or not the system has huge
// pages to give.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/run/huge_page_heap.hpp"

using namespace faultline;

namespace {

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`
// ("" when none does).
std::string vm_flags_of(const void* address) {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (line.find("VmFlags:") == 0) {
      if (inside) return line;
      continue;
    }
    if (range >> std::hex >> from >> dash >> to && dash == '-' && line.find(':') > line.find(' '))
      inside = from <= a && a < to;
  }
  return "";
}

}  // namespace

TEST_CASE("the huge-page heap is refused above its size bound and when FAULTLINE_HUGE_PAGES=off") {
  CHECK_FALSE(back_heap_with_huge_pages(kHugePageHeapAtMost + 1));
  ::setenv("FAULTLINE_HUGE_PAGES", "off", 1);
  CHECK_FALSE(back_heap_with_huge_pages(1 << 20));
  ::unsetenv("FAULTLINE_HUGE_PAGES");
}

TEST_CASE("after the huge-page heap a run's blocks come from a range marked for huge pages") {
  if (!huge_page_heap_supported()) {
    CHECK_FALSE(back_heap_with_huge_pages(1 << 20));
    return;  // a sanitizer's allocator, or not glibc on Linux
  }
  REQUIRE(back_heap_with_huge_pages(1 << 20));
  // Large blocks after it (a run's node records, pools, queue slabs): from
  // the reserved top, in the marked range. (A small block may reuse a chunk
  // freed anywhere in the heap before, marked or not.)
  for (const std::size_t bytes : {std::size_t{4} << 20, std::size_t{24} << 20}) {
    CAPTURE(bytes);
    void* block = std::malloc(bytes);
    REQUIRE(block != nullptr);
    std::memset(block, 1, bytes);
    const std::string flags = vm_flags_of(static_cast<char*>(block) + bytes / 2);
    CAPTURE(flags);
    CHECK(flags.find(" hg") != std::string::npos);
    std::free(block);
  }
}

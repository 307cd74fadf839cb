// Fixed-size chunks of events for the event queue's large buckets, handed
// out and taken back, so the waves of events a big run passes through its
// high buckets reuse the pages of the waves before instead of faulting in
// fresh ones. A million-node gossip run mapped a fresh bucket for every
// wave and spent 16% of its time in the kernel's page faults; the pool
// faults each page in once, on 2 MiB slabs (transparent huge pages where
// the kernel grants them), and keeps them until it is destroyed.
//
// Memory: the pool holds the most chunks ever in use at once, and every
// chunked bucket's last chunk is partly empty: 16 KiB chunks, not 64 KiB,
// so that part stays small (push gossip at a million nodes: 16 slabs at the
// peak instead of 19; 8 KiB chunks still took 16). A bucket
// that moves down hands each chunk back as soon as its events are moved, so
// the buckets it fills take the same chunks (what `madvise` shedding did
// before, without the faults).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "sim/engine/event.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace faultline {

class EventChunkPool {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 14;
  static constexpr std::uint32_t kChunkEvents = (kChunkBytes - sizeof(void*)) / sizeof(Event);  // 1,023
  struct Chunk {
    Chunk* next;  // the bucket's next chunk, or the next free one
    Event events[kChunkEvents];
  };
  static_assert(sizeof(Chunk) <= kChunkBytes);

  EventChunkPool() = default;
  EventChunkPool(const EventChunkPool&) = delete;
  EventChunkPool& operator=(const EventChunkPool&) = delete;
  ~EventChunkPool() {
    for (void* slab : slabs_) release_slab(slab);
  }

  Chunk* take() {
    if (free_ == nullptr) [[unlikely]] add_slab();
    Chunk* c = free_;
    free_ = c->next;
    c->next = nullptr;
    return c;
  }
  // Last in, first out: the chunk freed last is the one most likely still in cache.
  void give(Chunk* c) {
    c->next = free_;
    free_ = c;
  }
  std::size_t slabs() const { return slabs_.size(); }

  static constexpr std::size_t kSlabBytes = std::size_t{2} << 20;
  static constexpr std::size_t kChunksPerSlab = kSlabBytes / sizeof(Chunk);  // 128

 private:
  [[gnu::noinline]] void add_slab() {
    void* slab = allocate_slab();
    slabs_.push_back(slab);
    auto* bytes = static_cast<char*>(slab);
    // In reverse, so take() hands them out in address order.
    for (std::size_t i = kChunksPerSlab; i-- > 0;) give(reinterpret_cast<Chunk*>(bytes + i * sizeof(Chunk)));
  }
  // A slab aligned to 2 MiB, so a huge page can back it whole.
  static void* allocate_slab() {
#if defined(__linux__)
    const std::size_t span = 2 * kSlabBytes;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const auto aligned = (begin + kSlabBytes - 1) & ~(std::uintptr_t{kSlabBytes} - 1);
    if (aligned > begin) munmap(raw, aligned - begin);
    const std::uintptr_t end = begin + span, slab_end = aligned + kSlabBytes;
    if (end > slab_end) munmap(reinterpret_cast<void*>(slab_end), end - slab_end);
#if defined(MADV_HUGEPAGE)
    madvise(reinterpret_cast<void*>(aligned), kSlabBytes, MADV_HUGEPAGE);
#endif
    return reinterpret_cast<void*>(aligned);
#else
    void* slab = std::aligned_alloc(kSlabBytes, kSlabBytes);
    if (slab == nullptr) throw std::bad_alloc();
    return slab;
#endif
  }
  static void release_slab(void* slab) {
#if defined(__linux__)
    munmap(slab, kSlabBytes);
#else
    std::free(slab);
#endif
  }

  Chunk* free_ = nullptr;
  std::vector<void*> slabs_;
};

}  // namespace faultline

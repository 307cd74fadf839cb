// An allocator whose arrays start on a cache line (64 bytes). malloc's large
// blocks start 16 bytes past a page, so in an array of 128-byte node records
// every record lay across three cache lines instead of two (a delivery read
// the gossip node's status and timer generations from a third line that the
// prefetch of two did not cover), and every 64-byte in-flight message across
// two. Only the start is aligned: elements keep their size.
#pragma once

#include <cstddef>
#include <new>

namespace faultline {

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};

  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}

  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }

  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const { return true; }
};

}  // namespace faultline

// The event queue's bucket arrays, kept on their thread when a queue ends,
// for the next queue on that thread to take instead of growing its own
// from nothing.
//
// A sweep runs thousands of short simulations one after another on each of
// its threads. Each seed's queue grew about 500 bucket arrays by `realloc`
// (16 events, then 32, 64, ...) and freed them all at its end: 0.8% of a
// Raft sweep seed's instructions (docs/performance.md, 3 Dec 2026, tenth
// session). A bucket array of 16, 32, 64, 128 or 256 events (the sizes a
// bucket's array takes, BasicEventQueue::kSmallEvents the largest) goes
// here instead of to `free`, up to kMaxBytes in all, and grow_small takes
// one of the size it needs before it asks `realloc`.
//
// Per thread, so no locks; an array is never shared (a queue takes it out
// before use). None are kept under AddressSanitizer, so a use of a queue's
// array after the queue ended is still reported.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocols/host/address_sanitizer.hpp"
#include "sim/engine/event.hpp"

namespace faultline {

class SpareEventArrays {
 public:
  static constexpr std::uint32_t kSmallest = 16;  // events: the first size of a bucket's array
  static constexpr std::size_t kSizes = 5;        // 16, 32, 64, 128, 256 events
  // 1 MiB: a Raft sweep seed's queue ends with about 130 KiB of arrays; a
  // million-node gossip run ends once, and keeps nothing it would need.
  static constexpr std::size_t kMaxBytes = kUnderAddressSanitizer ? 0 : std::size_t{1} << 20;

  SpareEventArrays() = default;
  SpareEventArrays(const SpareEventArrays&) = delete;
  SpareEventArrays& operator=(const SpareEventArrays&) = delete;
  ~SpareEventArrays() {
    for (auto& kept : kept_)
      for (Event* array : kept) std::free(array);
  }

  // The calling thread's.
  static SpareEventArrays& of_this_thread() {
    thread_local SpareEventArrays spares;
    return spares;
  }

  // An array of exactly `capacity` events, malloc'd, if one is kept;
  // otherwise nullptr (and for a size never kept).
  Event* take(std::size_t capacity) {
    const std::size_t s = size_index(capacity);
    if (s == kSizes || kept_[s].empty()) return nullptr;
    Event* array = kept_[s].back();
    kept_[s].pop_back();
    bytes_ -= capacity * sizeof(Event);
    return array;
  }
  // Takes `array` (malloc'd, `capacity` events, or null): kept if it is of
  // a kept size and there is room, freed otherwise. Never throws (a queue's
  // destructor calls it).
  void give(Event* array, std::size_t capacity) noexcept {
    if (array == nullptr) return;
    const std::size_t s = size_index(capacity);
    const std::size_t bytes = capacity * sizeof(Event);
    if (s == kSizes || bytes_ + bytes > kMaxBytes) {
      std::free(array);
      return;
    }
    try {
      kept_[s].push_back(array);
    } catch (...) {  // no room for the pointer: the array goes back to malloc
      std::free(array);
      return;
    }
    bytes_ += bytes;
  }

  std::size_t bytes() const { return bytes_; }

 private:
  // 0 for 16 events, 1 for 32, ..., 4 for 256; kSizes for any other size.
  static std::size_t size_index(std::size_t capacity) {
    if (capacity < kSmallest || !std::has_single_bit(capacity)) return kSizes;
    const auto s = static_cast<std::size_t>(std::countr_zero(capacity) - std::countr_zero(std::size_t{kSmallest}));
    return s < kSizes ? s : kSizes;
  }

  std::array<std::vector<Event*>, kSizes> kept_;
  std::size_t bytes_ = 0;
};

}  // namespace faultline

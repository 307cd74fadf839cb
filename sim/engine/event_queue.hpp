// The event queue: a monotone radix heap over integer times, with ties
// broken by insertion sequence.
//
// Order: events pop in (time, seq) order, seq being the push count, so two
// events at the same time pop in the order they were pushed, on every run.
// Monotone: a push never goes before the last popped time (a discrete-event
// simulation never schedules into the past); a push that would is a bug and
// throws std::logic_error.
//
// Radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990): bucket b > 0 holds events
// whose time differs from last_ first at bit b-1 (b = bit_width(time ^
// last_)); bucket 0 holds events at exactly last_. Pushing is O(1); popping
// refills bucket 0 from the lowest non-empty bucket, and each event moves
// down at most 64 times in its life, in practice once or twice. For integer
// times it beats a binary heap's O(log n) sift on every push and pop.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline {

struct Event {
  Time time;
  std::uint64_t seq;
  std::uint64_t payload;
};

class EventQueue {
 public:
  // Called with each event about to be next in line (see refill), so the
  // owner can prefetch what handling it will touch. Optional.
  using PrefetchHook = void (*)(void* context, std::uint64_t payload);
  void set_prefetch_hook(PrefetchHook hook, void* context) {
    prefetch_ = hook;
    prefetch_context_ = context;
  }

  void push(Time time, std::uint64_t payload) {
    if (time < last_) throw std::logic_error("event scheduled before the current time");
    place(Event{time, seq_++, payload});
    ++size_;
  }

  // The smallest (time, seq). Precondition: !empty().
  Event pop() {
    if (head0_ == buckets_[0].size()) refill();
    --size_;
    return buckets_[0][head0_++];
  }

  // The time of the next pop. Precondition: !empty(). Not const: it may
  // refill bucket 0, which pop() would do anyway.
  Time next_time() {
    if (head0_ == buckets_[0].size()) refill();
    return last_;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::uint64_t pushed() const { return seq_; }
  void reserve(std::size_t n) { buckets_[0].reserve(n); }

 private:
  std::size_t bucket_of(Time time) const {
    return static_cast<std::size_t>(std::bit_width(static_cast<std::uint64_t>(time ^ last_)));
  }
  void place(const Event& e) {
    const std::size_t b = bucket_of(e.time);
    buckets_[b].push_back(e);
    if (b > 0) occupied_ |= std::uint64_t{1} << (b - 1);
  }

  // Bucket 0 is used up: make the least time the new last_, and move that
  // bucket's events down. Events at the new last_ land in bucket 0 and are
  // sorted by seq; later pushes at last_ have larger seqs and append, so
  // bucket 0 stays in seq order (the invariant pop() relies on).
  void refill() {
    auto& zero = buckets_[0];
    zero.clear();
    head0_ = 0;
    // size_ > 0, so some bucket above 0 holds events.
    const std::size_t b = static_cast<std::size_t>(std::countr_zero(occupied_)) + 1;
    occupied_ &= occupied_ - 1;
    auto& from = buckets_[b];
    if (from.size() == 1) {  // the common case in a sparse queue: it is next
      last_ = from.front().time;
      zero.push_back(from.front());
      from.clear();
      if (prefetch_ != nullptr) prefetch_(prefetch_context_, zero.front().payload);
      return;
    }
    Time least = from.front().time;
    for (const Event& e : from) least = std::min(least, e.time);
    last_ = least;
    // The moved events are the next ones out (unless newer, earlier events
    // arrive). When there are few, announce them: handling them will touch
    // memory a cache miss away, and asking for all of it now lets the
    // misses overlap instead of stalling one event at a time.
    const bool announce = prefetch_ != nullptr && from.size() <= kPrefetchBatch;
    for (const Event& e : from) {
      place(e);
      if (announce) prefetch_(prefetch_context_, e.payload);
    }
    // An emptied bucket keeps its storage for the next fill, unless it is
    // large: a million-node run passes waves of a million events through the
    // high buckets, and keeping every bucket's high-water mark would hold
    // several times the memory the pending events need.
    if (from.capacity() > kReleaseAbove) std::vector<Event>().swap(from);
    else from.clear();
    if (zero.size() > 1)
      std::sort(zero.begin(), zero.end(), [](const Event& x, const Event& y) { return x.seq < y.seq; });
  }

  // Invariant: every event in buckets_[b] has bucket_of(time) == b for the
  // current last_; buckets_[0][head0_..] is sorted by seq; size_ counts the
  // events not yet popped; bit b-1 of occupied_ is set iff buckets_[b]
  // (b >= 1) is not empty.
  static constexpr std::size_t kPrefetchBatch = 64;
  static constexpr std::size_t kReleaseAbove = std::size_t{1} << 16;
  std::array<std::vector<Event>, 65> buckets_;
  PrefetchHook prefetch_ = nullptr;
  void* prefetch_context_ = nullptr;
  std::uint64_t occupied_ = 0;
  std::size_t head0_ = 0;
  Time last_ = 0;
  std::uint64_t seq_ = 0;
  std::size_t size_ = 0;
};

}  // namespace faultline

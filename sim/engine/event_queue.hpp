// The event queue: a monotone radix heap over integer times, with ties
// broken by insertion sequence.
//
// Order: events pop in (time, seq) order, seq being the push count, so two
// events at the same time pop in the order they were pushed, on every run.
// Monotone: a push never goes before the last popped time (a discrete-event
// simulation never schedules into the past); a push that would is a bug and
// throws std::logic_error.
//
// Radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990) with 16-way digits: an
// event's bucket is named by the highest 4-bit digit where its time differs
// from last_ (the level, 1..16) and its own value of that digit; bucket 0
// holds events at exactly last_. Buckets in index order hold ever later
// times, so the lowest non-empty one holds the minimum. Pushing is O(1);
// popping refills bucket 0 from the lowest non-empty bucket, and each event
// moves down at most 16 times in its life. Against binary digits an event
// takes about half the moves (timers 300 ms out, popped microseconds
// apart, descend through digits, not bits).
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
  static constexpr std::size_t kBuckets = 1 + 16 * 16;
  std::size_t bucket_of(Time time) const {
    const auto diff = static_cast<std::uint64_t>(time ^ last_);
    if (diff == 0) return 0;
    const int level = (std::bit_width(diff) + 3) / 4;  // 1..16
    const auto digit = static_cast<std::size_t>((static_cast<std::uint64_t>(time) >> (4 * (level - 1))) & 15);
    return 1 + static_cast<std::size_t>(level - 1) * 16 + digit;
  }
  void place(const Event& e) {
    const std::size_t b = bucket_of(e.time);
    buckets_[b].push_back(e);
    if (b > 0) occupied_[(b - 1) / 64] |= std::uint64_t{1} << ((b - 1) % 64);
  }
  // The lowest non-empty bucket above 0 (one exists when called).
  std::size_t lowest_occupied() const {
    std::size_t w = 0;
    while (occupied_[w] == 0) ++w;
    return 1 + w * 64 + static_cast<std::size_t>(std::countr_zero(occupied_[w]));
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
    const std::size_t b = lowest_occupied();
    occupied_[(b - 1) / 64] &= ~(std::uint64_t{1} << ((b - 1) % 64));
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
  // events not yet popped; bit b-1 of occupied_ (read as one 256-bit set)
  // is set iff buckets_[b] (b >= 1) is not empty.
  static constexpr std::size_t kPrefetchBatch = 64;
  static constexpr std::size_t kReleaseAbove = std::size_t{1} << 13;
  std::array<std::vector<Event>, kBuckets> buckets_;
  PrefetchHook prefetch_ = nullptr;
  void* prefetch_context_ = nullptr;
  std::array<std::uint64_t, 4> occupied_{};
  std::size_t head0_ = 0;
  Time last_ = 0;
  std::uint64_t seq_ = 0;
  std::size_t size_ = 0;
};

}  // namespace faultline

// The event queue: a monotone radix heap over integer times, with ties
// broken by insertion order.
//
// Order: events pop in (time, seq) order, seq being the push count, so two
// events at the same time pop in the order they were pushed, on every run.
// The entries carry no seq: events of one time always share a bucket (a
// bucket is a function of the time and last_), every bucket keeps them in
// push order (a push appends, a move appends in the order it reads, the
// run inserts after equal times), and the sorts are stable by time.
// Monotone: a push never goes before the last popped time (a discrete-event
// simulation never schedules into the past); a push that would is a bug and
// throws std::logic_error.
//
// Radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990) with 256-way digits: an
// event's bucket is named by the highest 8-bit digit where its time differs
// from last_ (the level, 1..8) and its own value of that digit; bucket 0
// is the run, the next events out in (time, seq) order, at or before
// last_. Buckets in index order hold ever later times, so the lowest
// non-empty one holds the minimum. Pushing is O(1) (into the run, rare, a
// short insertion); popping refills the run from the lowest non-empty
// bucket, and each event moves down at most 8 times in its life. Wider
// digits mean fewer moves (timers 300 ms out, popped microseconds apart,
// descend through digits, not bits): binary digits took 4.7 moves per
// event in the Raft benchmark, 4-bit digits 2.3. A bucket of at most
// kRunAtMost events does not descend further: sorted, it becomes the run.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "protocols/host/time.hpp"
#include "sim/engine/event.hpp"
#include "sim/engine/event_chunk_pool.hpp"

namespace faultline {

class EventQueue {
 public:
  // Called with each event about to be next in line (see refill), so the
  // owner can prefetch what handling it will touch. Optional.
  using PrefetchHook = void (*)(void* context, std::uint64_t payload);
  void set_prefetch_hook(PrefetchHook hook, void* context) {
    prefetch_ = hook;
    prefetch_context_ = context;
  }

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  [[gnu::always_inline]] void push(Time time, std::uint64_t payload) {
    if (time < popped_) [[unlikely]] throw std::logic_error("event scheduled before the current time");
    if (time > last_) place(Event{time, payload});
    else to_run(Event{time, payload});
    ++seq_;
    ++size_;
  }

  // The smallest (time, seq). Precondition: !empty().
  Event pop() {
    if (head0_ == buckets_[0].size) refill();
    --size_;
    const Event e = buckets_[0].data[head0_++];
    popped_ = e.time;
    return e;
  }

  // The time of the next pop. Precondition: !empty(). Not const: it may
  // refill bucket 0, which pop() would do anyway.
  Time next_time() {
    if (head0_ == buckets_[0].size) refill();
    return buckets_[0].data[head0_].time;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::uint64_t pushed() const { return seq_; }
  void reserve(std::size_t n) {
    if (n > buckets_[0].capacity) grow_small(buckets_[0], n);
  }
  // Slabs of chunks the large buckets have taken (2 MiB each), for tests.
  std::size_t chunk_slabs() const { return pool_.slabs(); }

 private:
  using Chunk = EventChunkPool::Chunk;
  // A bucket: its first events in a growable array (malloc'd, up to
  // kSmallEvents), then, for a large bucket, chunks from pool_ (see
  // EventChunkPool: the pages of one wave of events serve the next). Append
  // is a compare and a store (growth, rare, is out of line). std::vector's
  // push_back was not inlined here and cost a call per event moved (11% of
  // a gossip run). Bucket 0, the run, stays one array (it is sorted and
  // inserted into) and never takes chunks.
  // Invariant: chunks == 0 and data == small, size events; or chunks > 0,
  // small full (small_capacity events), then the chunks first..last in
  // order, all full but the last, whose events are data (== last->events),
  // size of them.
  struct Bucket {
    Event* data = nullptr;  // the segment appended to: small, or the last chunk's events
    std::uint32_t size = 0, capacity = 0;  // of that segment
    std::uint32_t small_capacity = 0;
    std::uint32_t chunks = 0;
    Event* small = nullptr;
    Chunk* first = nullptr;
    Chunk* last = nullptr;
    Bucket() = default;
    Bucket(const Bucket&) = delete;
    Bucket& operator=(const Bucket&) = delete;
    ~Bucket() { std::free(small); }  // chunks belong to the pool's slabs
    std::size_t count() const {
      return chunks == 0 ? size
                         : small_capacity + static_cast<std::size_t>(chunks - 1) * EventChunkPool::kChunkEvents + size;
    }
  };
  [[gnu::always_inline]] void append(Bucket& k, const Event& e) {
    if (k.size == k.capacity) [[unlikely]] grow(k);
    k.data[k.size++] = e;
  }
  // The array doubles up to kSmallEvents (bucket 0: without limit); past
  // that a bucket takes a chunk at a time.
  [[gnu::noinline]] void grow(Bucket& k) {
    if (k.chunks == 0 && (&k == &buckets_[0] || k.capacity < kSmallEvents)) {
      grow_small(k, k.capacity == 0 ? 16 : 2 * static_cast<std::size_t>(k.capacity));
      return;
    }
    Chunk* c = pool_.take();
    if (k.chunks == 0) k.first = c;
    else k.last->next = c;
    k.last = c;
    ++k.chunks;
    k.data = c->events;
    k.size = 0;
    k.capacity = EventChunkPool::kChunkEvents;
  }
  static void grow_small(Bucket& k, std::size_t n) {
    if (n > UINT32_MAX) throw std::length_error("more than 2^32 events in the run of the event queue");
    auto* bigger = static_cast<Event*>(std::realloc(k.small, n * sizeof(Event)));
    if (bigger == nullptr) throw std::bad_alloc();
    k.small = k.data = bigger;
    k.small_capacity = k.capacity = static_cast<std::uint32_t>(n);
  }
  // Empties a bucket whose chunks have all been handed back to the pool (as
  // refill does while it moves their events); its array is kept for the
  // next fill.
  static void empty_bucket(Bucket& k) {
    k.first = k.last = nullptr;
    k.chunks = 0;
    k.data = k.small;
    k.capacity = k.small_capacity;
    k.size = 0;
  }

  // Digits of kDigitBits bits: 8 levels of 256 buckets. Against 4-bit
  // digits an event moves about half as often (a 1 s timer starts at level
  // 5, bits 24..31, instead of level 8), at the price of a larger bitmap,
  // searched through a summary word.
  static constexpr int kDigitBits = 8;
  static constexpr std::size_t kRadix = std::size_t{1} << kDigitBits;
  static constexpr std::size_t kLevels = 64 / kDigitBits;
  static constexpr std::size_t kBuckets = 1 + kLevels * kRadix;
  static constexpr std::size_t kWords = (kBuckets - 1) / 64;
  static_assert(kWords <= 64, "the summary word covers every bitmap word");

  std::size_t bucket_of(Time time) const {
    const auto diff = static_cast<std::uint64_t>(time ^ last_);
    if (diff == 0) return 0;
    const int level = (std::bit_width(diff) + kDigitBits - 1) / kDigitBits;  // 1..kLevels
    const auto digit =
        static_cast<std::size_t>((static_cast<std::uint64_t>(time) >> (kDigitBits * (level - 1))) & (kRadix - 1));
    return 1 + static_cast<std::size_t>(level - 1) * kRadix + digit;
  }
  [[gnu::always_inline]] void place(const Event& e) {  // a call per event moved cost 12 instructions of 50
    const std::size_t b = bucket_of(e.time);
    append(buckets_[b], e);
    if (b > 0) {
      const std::size_t w = (b - 1) / 64;
      occupied_[w] |= std::uint64_t{1} << ((b - 1) % 64);
      summary_ |= std::uint64_t{1} << w;
    }
  }
  // The lowest non-empty bucket above 0 (one exists when called).
  std::size_t lowest_occupied() const {
    const auto w = static_cast<std::size_t>(std::countr_zero(summary_));
    return 1 + w * 64 + static_cast<std::size_t>(std::countr_zero(occupied_[w]));
  }
  void clear_occupied(std::size_t b) {
    const std::size_t w = (b - 1) / 64;
    occupied_[w] &= ~(std::uint64_t{1} << ((b - 1) % 64));
    if (occupied_[w] == 0) summary_ &= ~(std::uint64_t{1} << w);
  }

  // The run is used up: refill it from the lowest non-empty bucket. A
  // small bucket becomes the run, sorted; from a large one, make its least
  // time the new last_ and move its events down: those at the new last_
  // land in bucket 0 in the bucket's order, which for one time is push order (a run at one time). Later
  // pushes at or before last_ join the run in order (to_run), so the run
  // stays in (time, seq) order (the invariant pop() relies on).
  void refill() {
    Bucket& zero = buckets_[0];
    zero.size = 0;
    head0_ = 0;
    // size_ > 0, so some bucket above 0 holds events.
    const std::size_t b = lowest_occupied();
    clear_occupied(b);
    Bucket& from = buckets_[b];
    if (from.chunks == 0 && from.size == 1) {  // the common case in a sparse queue: it is next
      last_ = from.data[0].time;
      append(zero, from.data[0]);
      from.size = 0;
      if (prefetch_ != nullptr) prefetch_(prefetch_context_, zero.data[0].payload);
      return;
    }
    if (from.chunks == 0 && from.size <= kRunAtMost) {
      // A few events: they are the next ones out, all before any other
      // bucket's. Sorted by (time, seq) they become the run, at once,
      // instead of descending digit by digit (one move and one refill
      // fewer per event in a gossip run). last_ becomes their latest time:
      // any event of the bucket can stand for last_ without moving the
      // other buckets' events, as every one of them agrees with it on the
      // digits above the bucket's level and on the bucket's own digit.
      // Insertion sort by time, stable: events of one time keep their
      // (push) order.
      for (std::uint32_t i = 0; i < from.size; ++i) {
        const Event e = from.data[i];
        append(zero, e);
        std::uint32_t j = zero.size - 1;
        while (j > 0 && zero.data[j - 1].time > e.time) {
          zero.data[j] = zero.data[j - 1];
          --j;
        }
        zero.data[j] = e;
      }
      from.size = 0;
      last_ = zero.data[zero.size - 1].time;
      if (prefetch_ != nullptr)
        for (std::uint32_t i = 0; i < zero.size; ++i) prefetch_(prefetch_context_, zero.data[i].payload);
      return;
    }
    // A large bucket: its events are in small (all of it when chunked,
    // else its first `size`), then in its chunks.
    const std::uint32_t in_small = from.chunks == 0 ? from.size : from.small_capacity;
    Time least = from.small[0].time;
    for (std::uint32_t i = 1; i < in_small; ++i) least = std::min(least, from.small[i].time);
    for (const Chunk* c = from.first; c != nullptr; c = c->next) {
      const std::uint32_t n = c == from.last ? from.size : EventChunkPool::kChunkEvents;
      for (std::uint32_t i = 0; i < n; ++i) least = std::min(least, c->events[i].time);
    }
    last_ = least;
    // The moved events are the next ones out (unless newer, earlier events
    // arrive). When there are few, announce them: handling them will touch
    // memory a cache miss away, and asking for all of it now lets the
    // misses overlap instead of stalling one event at a time.
    const bool announce = prefetch_ != nullptr && from.count() <= kPrefetchBatch;
    for (std::uint32_t i = 0; i < in_small; ++i) {
      place(from.small[i]);
      if (announce) prefetch_(prefetch_context_, from.small[i].payload);
    }
    // Each chunk goes back to the pool as soon as its events are placed:
    // the buckets being filled take it next.
    for (Chunk* c = from.first; c != nullptr;) {
      const std::uint32_t n = c == from.last ? from.size : EventChunkPool::kChunkEvents;
      for (std::uint32_t i = 0; i < n; ++i) place(c->events[i]);
      Chunk* next = c->next;
      pool_.give(c);
      c = next;
    }
    // The emptied bucket keeps its array (at most kSmallEvents) for the next fill.
    // The run it made holds the events at last_, in the bucket's order: push order.
    empty_bucket(from);
  }

  // An event at or before last_ joins the run at its place in (time, seq)
  // order: its seq is the largest yet, so it goes after every event of the
  // run at its time or earlier. Usually that is the end (an event at the
  // current time); only a run made by refill from a small bucket holds
  // later times, and a push lands inside it when it is scheduled less than
  // one bucket's width ahead.
  void to_run(const Event& e) {
    Bucket& zero = buckets_[0];
    append(zero, e);
    std::uint32_t i = zero.size - 1;
    while (i > head0_ && zero.data[i - 1].time > e.time) {
      zero.data[i] = zero.data[i - 1];
      --i;
    }
    zero.data[i] = e;
  }

  // Invariant: every event in buckets_[b] (b >= 1) has bucket_of(time) == b
  // for the current last_, and a time after last_; the run,
  // buckets_[0].data[head0_..], is sorted by (time, seq) and holds times
  // from popped_ to last_; so every event of the run comes before every
  // event in the buckets. size_ counts the events not yet popped; bit b-1
  // of occupied_ (read as one bit set) is set iff buckets_[b] (b >= 1) is
  // not empty; bit w of summary_ is set iff occupied_[w] != 0.
  static constexpr std::size_t kRunAtMost = 64;
  static constexpr std::size_t kPrefetchBatch = 64;
  // A bucket's array grows to this many events (32 KiB), then it takes chunks.
  static constexpr std::uint32_t kSmallEvents = 2048;
  EventChunkPool pool_;  // declared before buckets_: their chunks live in its slabs
  std::array<Bucket, kBuckets> buckets_;
  PrefetchHook prefetch_ = nullptr;
  void* prefetch_context_ = nullptr;
  std::array<std::uint64_t, kWords> occupied_{};
  std::uint64_t summary_ = 0;
  std::size_t head0_ = 0;
  Time last_ = 0;
  Time popped_ = 0;  // the time of the latest pop: no push may come before it
  std::uint64_t seq_ = 0;  // events pushed
  std::size_t size_ = 0;
};

}  // namespace faultline

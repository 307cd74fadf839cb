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
// A bucket of up to kSortAtMost events (level 2 or above) does not descend
// either: a radix sort by the digits below its level makes it the sorted
// run, popped merged with the run and the buckets, so that a push inside
// its window goes to a bucket (bounded work) instead of into a run that
// would grow with the window (docs/performance.md, 1 Dec 2026, helper hb).
//
// Dead events: a queue may be told which events are dead (DeadTest, e.g.
// the simulation's timers re-armed since they were pushed). It drops such
// an event wherever it handles it anyway (when a bucket moves down, becomes
// the run or is sorted), instead of carrying it to its pop. Deadness must
// be monotone: an event dead once stays dead, so what is dropped is what
// the owner would have skipped at its pop. Dropping never changes the order
// of the others (the rest of a bucket keeps its order, and ties need no
// seq). A dead event may still reach the top (it died after its last
// move): the owner skips it there. size() counts the events neither popped
// nor dropped; top() may find that every remaining event is dead, and then
// returns kNoEvent with the queue empty (docs/performance.md, 2 Dec 2026,
// helper h1).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

#include "protocols/host/time.hpp"
#include "sim/engine/event.hpp"
#include "sim/engine/event_chunk_pool.hpp"
#include "sim/engine/spare_event_arrays.hpp"

namespace faultline {

// The DeadTest of a queue that drops nothing (the default). A DeadTest
// names kDrops (false compiles every test out) and answers, for a payload,
// whether the event is dead (see "Dead events" above).
struct KeepEveryEvent {
  static constexpr bool kDrops = false;
  bool operator()(std::uint64_t) const { return false; }
};

template <class DeadTest = KeepEveryEvent>
class BasicEventQueue {
 public:
  // Called with each event about to be next in line (see refill), so the
  // owner can prefetch what handling it will touch. Optional.
  using PrefetchHook = void (*)(void* context, std::uint64_t payload);
  void set_prefetch_hook(PrefetchHook hook, void* context) {
    prefetch_ = hook;
    prefetch_context_ = context;
  }

  // Which events are dead from now on (see "Dead events" above).
  void set_dead_test(const DeadTest& dead) { dead_ = dead; }
  // What top() returns when the events left were all dead, and dropped.
  static constexpr Event kNoEvent{std::numeric_limits<Time>::max(), 0};

  BasicEventQueue() = default;
  ~BasicEventQueue() {
    for (Event* buffer : sort_buffers_) std::free(buffer);
  }
  BasicEventQueue(const BasicEventQueue&) = delete;
  BasicEventQueue& operator=(const BasicEventQueue&) = delete;

  [[gnu::always_inline]] void push(Time time, std::uint64_t payload) {
    if (time < popped_) [[unlikely]] throw std::logic_error("event scheduled before the current time");
    if (time > last_) {
      place(Event{time, payload});
      bucket_floor_ = std::min(bucket_floor_, time);
    } else {
      to_run(Event{time, payload});
    }
    ++seq_;
    ++size_;
  }

  // The smallest (time, seq), left in the queue. Precondition: !empty().
  // Not const: it may refill the run, which pop() would do anyway. The
  // reference holds until the next push or pop. With a DeadTest that drops,
  // the queue may turn out empty (every event left was dead): then it
  // returns kNoEvent, whose time is after every event's.
  [[gnu::always_inline]] const Event& top() {
    const Bucket& zero = buckets_[0];
    if (sorted_head_ < sorted_size_) {
      // Two runs: the earlier head goes first, the sorted run's at equal
      // times (see the invariant: its events were pushed before any of the
      // same time elsewhere). With the run empty, a bucket may still hold
      // an earlier event (pushed into the sorted run's window): while the
      // sorted head is at or before bucket_floor_, none does.
      const Event& s = sorted_[sorted_head_];
      if (head0_ < zero.size) {
        if (zero.data[head0_].time < s.time) {
          top_sorted_ = false;
          return zero.data[head0_];
        }
      } else if (s.time > bucket_floor_) [[unlikely]] {
        return top_slow();
      }
      top_sorted_ = true;
      return s;
    }
    if (head0_ == zero.size) [[unlikely]] return top_slow();
    top_sorted_ = false;
    return zero.data[head0_];
  }

  // Pops the event top() returned (no push or pop in between).
  [[gnu::always_inline]] void pop_top() {
    --size_;
    if (top_sorted_) {
      popped_ = sorted_[sorted_head_].time;
      ++sorted_head_;
      if (prefetch_ != nullptr && sorted_head_ + kPrefetchAhead < sorted_size_)
        prefetch_(prefetch_context_, sorted_[sorted_head_ + kPrefetchAhead].payload);
    } else {
      popped_ = buckets_[0].data[head0_].time;
      ++head0_;
    }
  }

  // The smallest (time, seq). Precondition: !empty(), and (with a DeadTest
  // that drops) some event left alive.
  Event pop() {
    const Event e = top();
    pop_top();
    return e;
  }

  // The time of the next pop. Precondition: !empty().
  Time next_time() { return top().time; }

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
  // Split hot and cold: what an append reads and writes (Bucket, 16 bytes)
  // in buckets_, the array and the chunks behind it (BucketStore, 32 bytes)
  // in stores_, at the same index. Raft's pushes reach up to four levels of
  // 256 buckets: as one 48-byte record those headers took 48 KiB, more than
  // a 32 KiB L1 cache, and the header an append read missed about 0.6
  // times an event (docs/performance.md, 2 Dec 2026, fourth session).
  // Invariant: chunks == 0 and data == small, size events; or chunks > 0,
  // small full (small_capacity events), then the chunks first..last in
  // order, all full but the last, whose events are data (== last->events),
  // size of them.
  struct Bucket {
    Event* data = nullptr;  // the segment appended to: small, or the last chunk's events
    std::uint32_t size = 0, capacity = 0;  // of that segment
  };
  struct BucketStore {
    Event* small = nullptr;
    std::uint32_t small_capacity = 0;
    std::uint32_t chunks = 0;
    Chunk* first = nullptr;
    Chunk* last = nullptr;
    BucketStore() = default;
    BucketStore(const BucketStore&) = delete;
    BucketStore& operator=(const BucketStore&) = delete;
    // Chunks belong to the pool's slabs; the array goes to the thread's
    // spares, for the next queue (SpareEventArrays).
    ~BucketStore() {
      if (small != nullptr) SpareEventArrays::of_this_thread().give(small, small_capacity);
    }
  };
  BucketStore& store_of(const Bucket& k) { return stores_[static_cast<std::size_t>(&k - buckets_.data())]; }
  const BucketStore& store_of(const Bucket& k) const {
    return stores_[static_cast<std::size_t>(&k - buckets_.data())];
  }
  // Whether bucket k (>= 1) has taken chunks, read from its hot part: its
  // segment is then a chunk's, of kChunkEvents, a size no array of a
  // bucket above 0 has (they double from 16 up to kSmallEvents).
  static bool chunked(const Bucket& k) { return k.capacity == EventChunkPool::kChunkEvents; }
  std::size_t events_in(const Bucket& k) const {
    const BucketStore& st = store_of(k);
    return st.chunks == 0 ? k.size
                          : st.small_capacity + static_cast<std::size_t>(st.chunks - 1) * EventChunkPool::kChunkEvents +
                                k.size;
  }
  [[gnu::always_inline]] bool dead(const Event& e) const {
    if constexpr (DeadTest::kDrops) return dead_(e.payload);
    else return false;
  }
  [[gnu::always_inline]] void append(Bucket& k, const Event& e) {
    if (k.size == k.capacity) [[unlikely]] grow(k);
    k.data[k.size++] = e;
  }
  // The array doubles up to kSmallEvents (bucket 0: without limit); past
  // that a bucket takes a chunk at a time.
  [[gnu::noinline]] void grow(Bucket& k) {
    BucketStore& st = store_of(k);
    if (st.chunks == 0 && (&k == &buckets_[0] || k.capacity < kSmallEvents)) {
      grow_small(k, k.capacity == 0 ? 16 : 2 * static_cast<std::size_t>(k.capacity));
      return;
    }
    Chunk* c = pool_.take();
    if (st.chunks == 0) st.first = c;
    else st.last->next = c;
    st.last = c;
    ++st.chunks;
    k.data = c->events;
    k.size = 0;
    k.capacity = EventChunkPool::kChunkEvents;
  }
  void grow_small(Bucket& k, std::size_t n) {
    if (n > UINT32_MAX) throw std::length_error("more than 2^32 events in the run of the event queue");
    BucketStore& st = store_of(k);
    // An array an earlier queue on this thread left, if one of this size is
    // kept (a sweep's next seed), else realloc.
    SpareEventArrays& spares = SpareEventArrays::of_this_thread();
    Event* bigger = spares.take(n);
    if (bigger != nullptr) {
      if (k.size != 0) std::memcpy(bigger, st.small, static_cast<std::size_t>(k.size) * sizeof(Event));
      spares.give(st.small, st.small_capacity);
    } else {
      bigger = static_cast<Event*>(std::realloc(st.small, n * sizeof(Event)));
      if (bigger == nullptr) throw std::bad_alloc();
    }
    st.small = k.data = bigger;
    st.small_capacity = k.capacity = static_cast<std::uint32_t>(n);
  }
  // Empties a bucket whose chunks have all been handed back to the pool (as
  // refill does while it moves their events); its array is kept for the
  // next fill.
  void empty_bucket(Bucket& k) {
    BucketStore& st = store_of(k);
    st.first = st.last = nullptr;
    st.chunks = 0;
    k.data = st.small;
    k.capacity = st.small_capacity;
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

  // Always inlined: GCC called it out of line from Raft's send, set_timer
  // and run (a call on every push there), though not from gossip's.
  [[gnu::always_inline]] std::size_t bucket_of(Time time) const {
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

  // refill() made the run from small bucket b (level >= 1, the lowest
  // non-empty; the run holds its live events, sorted): add the next
  // non-empty buckets of b's level that lie within 2^kMergeWindowBits ns of b's
  // floor, in order, while each is small and the run stays at most
  // kRunAtMost. They are the next events out too: every lower bucket is
  // empty, and each later digit of the level holds later times than the
  // one before it. The caller then sets last_ to the run's latest time,
  // which agrees with every bucket left on the digits above b's level and
  // is before each one left at b's level (a later digit), so no event
  // needs to move. In a dense queue (the Raft hour: an event every 65 us,
  // about one a level-3 bucket) this takes several buckets a refill
  // instead of one, and a pop finds the run non-empty more often (top()
  // without top_slow()); the window keeps the run short in time, so that
  // pushes landing inside it (to_run, an insertion) stay few.
  void take_following(std::size_t b) {
    const std::size_t level = (b - 1) / kRadix + 1;
    const int digit_bits = kDigitBits * static_cast<int>(level - 1);  // a digit of this level spans 2^digit_bits ns
    if (digit_bits >= kMergeWindowBits) return;                      // one digit is the whole window
    const std::size_t level_end = 1 + level * kRadix;                 // one past the level's last bucket
    const std::size_t end = std::min<std::size_t>(level_end, b + (std::size_t{1} << (kMergeWindowBits - digit_bits)));
    Bucket& zero = buckets_[0];
    for (std::size_t next = next_occupied(b, end); next < end; next = next_occupied(next, end)) {
      Bucket& k = buckets_[next];
      if (chunked(k) || zero.size + k.size > kRunAtMost) return;
      clear_occupied(next);
      if (k.size == 1) {  // the usual case (an event a digit): nothing to sort
        k.size = 0;
        if (dead(k.data[0])) --size_;
        else append(zero, k.data[0]);
        continue;
      }
      take_sorted(k);
      k.size = 0;
    }
  }
  // Appends bucket k's live events to the run (the dead dropped), each put
  // in place among k's own by a stable insertion sort by time: events of
  // one time keep their (push) order. All of them are after the run's.
  [[gnu::always_inline]] void take_sorted(const Bucket& k) {
    Bucket& zero = buckets_[0];
    const std::uint32_t first = zero.size;
    for (std::uint32_t i = 0; i < k.size; ++i) {
      const Event e = k.data[i];
      if (dead(e)) {
        --size_;
        continue;
      }
      append(zero, e);
      std::uint32_t j = zero.size - 1;
      while (j > first && zero.data[j - 1].time > e.time) {
        zero.data[j] = zero.data[j - 1];
        --j;
      }
      zero.data[j] = e;
    }
  }
  // The first non-empty bucket after b and before end (end if none).
  std::size_t next_occupied(std::size_t b, std::size_t end) const {
    // Bucket x is bit x - 1: the buckets after b start at bit b.
    for (std::size_t bit = b; bit + 1 < end;) {
      const std::size_t w = bit / 64;
      const std::uint64_t rest = occupied_[w] & (~std::uint64_t{0} << (bit % 64));
      if (rest != 0) return std::min<std::size_t>(end, w * 64 + static_cast<std::size_t>(std::countr_zero(rest)) + 1);
      bit = (w + 1) * 64;
    }
    return end;
  }

  // The run is used up: refill it from the lowest non-empty bucket. A
  // small bucket becomes the run, sorted; from a large one, make its least
  // time the new last_ and move its events down: those at the new last_
  // land in bucket 0 in the bucket's order, which for one time is push order (a run at one time). Later
  // pushes at or before last_ join the run in order (to_run), so the run
  // stays in (time, seq) order (the invariant pop() relies on).
  void refill(bool may_sort) {
    Bucket& zero = buckets_[0];
    zero.size = 0;
    head0_ = 0;
    // size_ > 0, so some bucket above 0 holds events.
    const std::size_t b = lowest_occupied();
    clear_occupied(b);
    Bucket& from = buckets_[b];
    if (!chunked(from) && from.size == 1) {  // the common case in a sparse queue: it is next
      from.size = 0;
      if (dead(from.data[0])) {  // dropped: the other buckets stand as they are
        --size_;
        return;
      }
      append(zero, from.data[0]);
      take_following(b);
      last_ = zero.data[zero.size - 1].time;
      if (prefetch_ != nullptr)
        for (std::uint32_t i = 0; i < zero.size; ++i) prefetch_(prefetch_context_, zero.data[i].payload);
      return;
    }
    if (!chunked(from) && from.size <= kRunAtMost) {
      // A few events: they are the next ones out, all before any other
      // bucket's. Sorted by (time, seq) they become the run, at once,
      // instead of descending digit by digit (one move and one refill
      // fewer per event in a gossip run). last_ becomes their latest time:
      // any event of the bucket can stand for last_ without moving the
      // other buckets' events, as every one of them agrees with it on the
      // digits above the bucket's level and on the bucket's own digit.
      // Insertion sort by time, stable: events of one time keep their
      // (push) order.
      // A dead event is dropped; if all are, the run stays empty and last_
      // as it was (every other bucket is placed by it).
      take_sorted(from);
      from.size = 0;
      if constexpr (DeadTest::kDrops) {
        if (zero.size == 0) return;
      }
      take_following(b);
      last_ = zero.data[zero.size - 1].time;
      if (prefetch_ != nullptr)
        for (std::uint32_t i = 0; i < zero.size; ++i) prefetch_(prefetch_context_, zero.data[i].payload);
      return;
    }
    const std::size_t level = (b - 1) / kRadix + 1;
    if (may_sort && level >= 2 && events_in(from) <= kSortAtMost) {
      sort_into_sorted_run(from, level);
      return;
    }
    const BucketStore& st = stores_[b];
    // A large bucket: its events are in small (all of it when chunked,
    // else its first `size`), then in its chunks. last_ becomes their least
    // time, dead events' included: it is still at or before every live
    // one, which is all the invariant asks; the dead are dropped as they
    // would be placed (the run may end up empty: top_slow refills again).
    const std::uint32_t in_small = st.chunks == 0 ? from.size : st.small_capacity;
    Time least = st.small[0].time;
    for (std::uint32_t i = 1; i < in_small; ++i) least = std::min(least, st.small[i].time);
    for (const Chunk* c = st.first; c != nullptr; c = c->next) {
      const std::uint32_t n = c == st.last ? from.size : EventChunkPool::kChunkEvents;
      for (std::uint32_t i = 0; i < n; ++i) least = std::min(least, c->events[i].time);
    }
    last_ = least;
    // The moved events are the next ones out (unless newer, earlier events
    // arrive). When there are few, announce them: handling them will touch
    // memory a cache miss away, and asking for all of it now lets the
    // misses overlap instead of stalling one event at a time.
    const bool announce = prefetch_ != nullptr && events_in(from) <= kPrefetchBatch;
    for (std::uint32_t i = 0; i < in_small; ++i) {
      if (dead(st.small[i])) {
        --size_;
        continue;
      }
      place(st.small[i]);
      if (announce) prefetch_(prefetch_context_, st.small[i].payload);
    }
    // Each chunk goes back to the pool as soon as its events are placed:
    // the buckets being filled take it next.
    for (Chunk* c = st.first; c != nullptr;) {
      const std::uint32_t n = c == st.last ? from.size : EventChunkPool::kChunkEvents;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (dead(c->events[i])) {
          --size_;
          continue;
        }
        place(c->events[i]);
      }
      Chunk* next = c->next;
      pool_.give(c);
      c = next;
    }
    // The emptied bucket keeps its array (at most kSmallEvents) for the next fill.
    // The run it made holds the events at last_, in the bucket's order: push order.
    empty_bucket(from);
  }

  // top() when the run is used up, or when a bucket may hold an event
  // before the sorted run's head: refill the run (from the buckets, or into
  // the sorted run when it is empty) until a head is known to be next.
  [[gnu::noinline]] const Event& top_slow() {
    const Bucket& zero = buckets_[0];
    for (;;) {
      if (sorted_head_ == sorted_size_) {
        if (head0_ < zero.size) {
          top_sorted_ = false;
          return zero.data[head0_];
        }
        if constexpr (DeadTest::kDrops) {
          if (size_ == 0) return kNoEvent;  // the rest was dead, and dropped
        }
        refill(true);
        continue;
      }
      const Event& s = sorted_[sorted_head_];
      if (head0_ < zero.size) {
        top_sorted_ = !(zero.data[head0_].time < s.time);
        return top_sorted_ ? s : zero.data[head0_];
      }
      // The run is empty: the buckets' least time is at or after the floor
      // of the lowest non-empty one.
      bucket_floor_ = summary_ == 0 ? kNoTime : floor_of(lowest_occupied());
      if (s.time <= bucket_floor_) {
        top_sorted_ = true;
        return s;
      }
      refill(false);  // the sorted run is in use: the bucket moves down
    }
  }

  // The least time bucket b (>= 1) can hold: last_'s digits above its
  // level, its own digit, zeros below.
  Time floor_of(std::size_t b) const {
    const std::size_t level = (b - 1) / kRadix + 1;
    const std::size_t digit = (b - 1) % kRadix;
    const int low_bits = static_cast<int>(kDigitBits * (level - 1));
    const auto above = low_bits + kDigitBits >= 64
                           ? std::uint64_t{0}
                           : static_cast<std::uint64_t>(last_) >> (low_bits + kDigitBits) << (low_bits + kDigitBits);
    return static_cast<Time>(above | (static_cast<std::uint64_t>(digit) << low_bits));
  }

  // Sorts bucket `from` (level >= 2, more than kRunAtMost events, at most
  // kSortAtMost) into the sorted run, which is empty: a stable LSD radix
  // sort by the digits below the bucket's level (the digits above are
  // equal), skipping a digit every event shares. Stable, so events of one
  // time keep the bucket's order, their push order. The events are all
  // before every other bucket's, and the run is empty (refill), so they
  // are the next out. last_ becomes their least time (any of them can
  // stand for last_, as in the small case): a later push inside their
  // window goes to the buckets, below this one's level, not into a run
  // that would grow with it. Dead events are dropped; if all are, the
  // sorted run stays empty and last_ as it was.
  void sort_into_sorted_run(Bucket& from, std::size_t level) {
    switch (level) {
      case 2: sort_by_digits<1>(from); break;
      case 3: sort_by_digits<2>(from); break;
      case 4: sort_by_digits<3>(from); break;
      case 5: sort_by_digits<4>(from); break;
      case 6: sort_by_digits<5>(from); break;
      case 7: sort_by_digits<6>(from); break;
      default: sort_by_digits<7>(from); break;
    }
    if constexpr (DeadTest::kDrops) {
      if (sorted_size_ == 0) return;  // all dead
    }
    last_ = sorted_[0].time;
    if (prefetch_ != nullptr)
      for (std::uint32_t i = 0; i < kPrefetchAhead && i < sorted_size_; ++i)
        prefetch_(prefetch_context_, sorted_[i].payload);
  }
  template <std::size_t kDigits>
  void sort_by_digits(Bucket& from) {
    const BucketStore& st = store_of(from);
    if (const std::size_t all = events_in(from); all > sort_capacity_) grow_sort_buffers(all);
    const std::uint32_t in_small = st.chunks == 0 ? from.size : st.small_capacity;
    // One pass counts every digit, of the live events (n of them; t0: the
    // time of one). The scatter below skips the same dead ones: nothing
    // dies in between. (A queue that drops nothing counts as it did.)
    std::array<std::array<std::uint32_t, kRadix>, kDigits> counts{};
    std::size_t n = 0;
    std::uint64_t t0 = 0;
    auto count = [&](const Event* events, std::uint32_t m) {  // [&]: n, t0 and this go unused when nothing drops
      for (std::uint32_t i = 0; i < m; ++i) {
        const auto t = static_cast<std::uint64_t>(events[i].time);
        if constexpr (DeadTest::kDrops) {
          if (dead(events[i])) continue;
          t0 = t;
          ++n;
        }
        for (std::size_t d = 0; d < kDigits; ++d) ++counts[d][(t >> (kDigitBits * d)) & (kRadix - 1)];
      }
    };
    count(st.small, in_small);
    for (const Chunk* c = st.first; c != nullptr; c = c->next)
      count(c->events, c == st.last ? from.size : EventChunkPool::kChunkEvents);
    if constexpr (DeadTest::kDrops) {
      size_ -= events_in(from) - n;
    } else {
      n = events_in(from);
      t0 = static_cast<std::uint64_t>(st.small[0].time);
    }
    // The digits that differ, lowest first; counts become start offsets.
    std::array<std::size_t, kDigits> passes{};
    std::size_t npasses = 0;
    for (std::size_t d = 0; d < kDigits; ++d) {
      if (counts[d][(t0 >> (kDigitBits * d)) & (kRadix - 1)] == n) continue;
      std::uint32_t at = 0;
      for (std::size_t v = 0; v < kRadix; ++v) {
        const std::uint32_t c = counts[d][v];
        counts[d][v] = at;
        at += c;
      }
      passes[npasses++] = d;
    }
    // The first pass reads the bucket (handing each chunk back as it goes)
    // into one buffer; each further pass moves between the two.
    Event* into = sort_buffers_[0];
    auto scatter = [this, &counts, into](const Event* events, std::uint32_t m, std::size_t d, std::uint32_t& copied) {
      if (d == kDigits) {  // no digit differs: one time, in order
        for (std::uint32_t i = 0; i < m; ++i)
          if (!dead(events[i])) into[copied++] = events[i];
        return;
      }
      auto& offsets = counts[d];
      for (std::uint32_t i = 0; i < m; ++i) {
        if (dead(events[i])) continue;
        const auto v = (static_cast<std::uint64_t>(events[i].time) >> (kDigitBits * d)) & (kRadix - 1);
        into[offsets[v]++] = events[i];
      }
    };
    const std::size_t first = npasses == 0 ? kDigits : passes[0];
    std::uint32_t copied = 0;
    scatter(st.small, in_small, first, copied);
    for (Chunk* c = st.first; c != nullptr;) {
      scatter(c->events, c == st.last ? from.size : EventChunkPool::kChunkEvents, first, copied);
      Chunk* next = c->next;
      pool_.give(c);
      c = next;
    }
    empty_bucket(from);
    Event* in = into;
    // (kDigits bounds npasses; the bound is written out for GCC, which
    // otherwise warns of passes[1] in the one-digit sort.)
    for (std::size_t p = 1; p < npasses && p < kDigits; ++p) {
      Event* out = in == sort_buffers_[0] ? sort_buffers_[1] : sort_buffers_[0];
      auto& offsets = counts[passes[p]];
      const int shift = static_cast<int>(kDigitBits * passes[p]);
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = (static_cast<std::uint64_t>(in[i].time) >> shift) & (kRadix - 1);
        out[offsets[v]++] = in[i];
      }
      in = out;
    }
    sorted_ = in;
    sorted_head_ = 0;
    sorted_size_ = static_cast<std::uint32_t>(n);
  }
  void grow_sort_buffers(std::size_t n) {
    for (Event*& buffer : sort_buffers_) {
      auto* bigger = static_cast<Event*>(std::realloc(buffer, n * sizeof(Event)));
      if (bigger == nullptr) throw std::bad_alloc();
      buffer = bigger;
    }
    sort_capacity_ = n;
  }

  // An event at or before last_ joins the run at its place in (time, seq)
  // order: its seq is the largest yet, so it goes after every event of the
  // run at its time or earlier. Usually that is the end (an event at the
  // current time); only a run made by refill from a small bucket holds
  // later times, and a push lands inside it when it is scheduled less than
  // one bucket's width ahead. A run from a high level's bucket spans
  // seconds (in a Raft run of a few dozen pending events, all of them), so
  // there nearly every push lands inside it, most far from its end: the
  // place is found by galloping back from the end (1, 2, 4, ... events),
  // then binary search, and the later events move up in one memmove (a
  // shift one event at a time was 5% of a Raft sweep seed's instructions,
  // about 210 an insertion).
  void to_run(const Event& e) {
    Bucket& zero = buckets_[0];
    append(zero, e);
    Event* data = zero.data;
    const auto end = static_cast<std::uint32_t>(zero.size - 1);  // e's slot
    const auto head = static_cast<std::uint32_t>(head0_);
    if (end == head || data[end - 1].time <= e.time) return;  // already in place
    // The place is the first of [head, end) whose time is after e's (the
    // upper bound); data[end - 1] is such. Narrow [lo, hi] around it.
    std::uint32_t hi = end - 1, lo = head;
    for (std::uint32_t dist = 1; hi - head > dist; dist *= 2) {
      const std::uint32_t probe = hi - dist;
      if (data[probe].time <= e.time) {
        lo = probe + 1;
        break;
      }
      hi = probe;
    }
    while (lo < hi) {  // data[hi] is after e; everything before lo is not
      const std::uint32_t mid = lo + (hi - lo) / 2;
      if (data[mid].time <= e.time) lo = mid + 1;
      else hi = mid;
    }
    const std::uint32_t later = end - lo;
    if (later <= 4) {
      for (std::uint32_t i = end; i > lo; --i) data[i] = data[i - 1];
    } else {
      std::memmove(data + lo + 1, data + lo, static_cast<std::size_t>(later) * sizeof(Event));
    }
    data[lo] = e;
  }


  // Invariant: every event in buckets_[b] (b >= 1) has bucket_of(time) == b
  // for the current last_, and a time after last_; the run,
  // buckets_[0].data[head0_..], is sorted by (time, seq) and holds times
  // from popped_ to last_; so every event of the run comes before every
  // event in the buckets. size_ counts the events not yet popped; bit b-1
  // of occupied_ (read as one bit set) is set iff buckets_[b] (b >= 1) is
  // not empty; bit w of summary_ is set iff occupied_[w] != 0.
  // The sorted run: sorted_[sorted_head_..sorted_size_), in (time, seq)
  // order, one of sort_buffers_ (each of sort_capacity_ events, kept for
  // the next sort). Made by refill from a bucket of kRunAtMost to
  // kSortAtMost events while it is empty, when the run was empty too: its
  // events were pushed before any event of the same time elsewhere in the
  // queue (every other bucket held later times then, and every later push
  // has a later seq), so at equal times it goes first. bucket_floor_ is at
  // or before every time in the buckets (a push lowers it; top_slow raises
  // it to the lowest bucket's floor when the run is empty).
  // 32: with Raft's deferred timers (Simulation::kDefersTimers) the buckets
  // are sparser, and a run of 64 spanned a window that took a third more
  // pushes by insertion (10 sweep seeds: 307.6 M instructions at 32, 308.3 M
  // at 16, 313.3 M at 64; push gossip at 100,000 nodes the same).
  static constexpr std::size_t kRunAtMost = 32;
  // take_following()'s window: 2^21 ns, about 2.1 ms (32 digits of level
  // 3; level 4's digits, 16.8 ms, are wider, so it merges none there).
  // Instructions (callgrind) of the Raft hour's load at 60 s and of 10
  // sweep seeds, against 1,365.8 M and 283.5 M without merging: a window
  // of 2^18 ns 1,354.6 M and 285.0 M; 2^19 1,344.5 M and 284.4 M; 2^20
  // 1,331.2 M and 283.2 M; 2^21 1,329.3 M and 282.7 M (the last two with
  // the one-event case below taken apart). Push gossip at 100,000 nodes:
  // no change (1,015.1 M).
  static constexpr int kMergeWindowBits = 21;
  // 4,096: the two sort buffers (64 KiB each) stay within the 150 bytes a
  // node of push gossip at a million nodes. 65,536 sorted more (100,000
  // nodes 1,086 M instructions against 1,165 M) but its 2 MiB of buffers
  // are resident at the run's peak: 148.6 MB, 152 bytes a node.
  static constexpr std::size_t kSortAtMost = 4096;
  static constexpr std::uint32_t kPrefetchAhead = 16;
  static constexpr Time kNoTime = std::numeric_limits<Time>::max();
  std::array<Event*, 2> sort_buffers_{};
  std::size_t sort_capacity_ = 0;
  const Event* sorted_ = nullptr;
  std::uint32_t sorted_head_ = 0, sorted_size_ = 0;
  bool top_sorted_ = false;  // where top()'s event is: sorted_ or the run
  Time bucket_floor_ = kNoTime;
  static constexpr std::size_t kPrefetchBatch = 64;
  // A bucket's array grows to this many events (4 KiB), then it takes
  // chunks. Each bucket keeps its array when emptied, so these arrays are
  // never shared: at 2,048 events (32 KiB) a million-node gossip run kept
  // 13.7 MB of them; at 256, 2.2 MB (docs/performance.md, 1 Dec 2026).
  static constexpr std::uint32_t kSmallEvents = 256;
  static_assert(EventChunkPool::kChunkEvents > kSmallEvents, "chunked() tells a chunk from a bucket's array by its size");
  EventChunkPool pool_;  // declared before buckets_: their chunks live in its slabs
  std::array<Bucket, kBuckets> buckets_;
  std::array<BucketStore, kBuckets> stores_;  // buckets_[b]'s array and chunks (see Bucket)
  PrefetchHook prefetch_ = nullptr;
  void* prefetch_context_ = nullptr;
  [[no_unique_address]] DeadTest dead_{};
  std::array<std::uint64_t, kWords> occupied_{};
  std::uint64_t summary_ = 0;
  std::size_t head0_ = 0;
  Time last_ = 0;
  Time popped_ = 0;  // the time of the latest pop: no push may come before it
  std::uint64_t seq_ = 0;  // events pushed
  std::size_t size_ = 0;
};

using EventQueue = BasicEventQueue<>;

}  // namespace faultline

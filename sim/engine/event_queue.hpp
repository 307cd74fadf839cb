// The event queue: a monotone radix heap over integer times, with ties
// broken by insertion sequence.
//
// Order: events pop in (time, seq) order, seq being the push count, so two
// events at the same time pop in the order they were pushed, on every run.
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
#include <cstring>
#include <new>
#include <stdexcept>

#include "protocols/host/time.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

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

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  [[gnu::always_inline]] void push(Time time, std::uint64_t payload) {
    if (time < popped_) [[unlikely]] throw std::logic_error("event scheduled before the current time");
    if (time > last_) place(Event{time, seq_++, payload});
    else to_run(Event{time, seq_++, payload});
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
  void reserve(std::size_t n) { buckets_[0].reserve(n); }

 private:
  // A bucket: a growable array of events whose append is a compare and a
  // store (growth, rare, is out of line). std::vector's push_back was not
  // inlined here and cost a call per event moved (11% of a gossip run).
  struct Bucket {
    Event* data = nullptr;
    std::uint32_t size = 0, capacity = 0;
    Bucket() = default;
    Bucket(const Bucket&) = delete;
    Bucket& operator=(const Bucket&) = delete;
    ~Bucket() { release(); }
    [[gnu::always_inline]] void append(const Event& e) {
      if (size == capacity) [[unlikely]] grow(capacity == 0 ? 16 : 2 * static_cast<std::size_t>(capacity));
      data[size++] = e;
    }
    void reserve(std::size_t n) {
      if (n > capacity) grow(n);
    }
    // Large buckets live in their own mappings, grown by mremap, which moves
    // pages instead of copying them (realloc copied 36 M instructions' worth
    // of events in a 100,000-node gossip run), and handed back to the
    // system at once when released.
    [[gnu::noinline]] void grow(std::size_t n) {
      if (n > UINT32_MAX) throw std::length_error("more than 2^32 events in one bucket of the event queue");
#if defined(__linux__)
      if (n * sizeof(Event) >= kMapBytes) {
        void* bigger = mapped ? mremap(data, capacity * sizeof(Event), n * sizeof(Event), MREMAP_MAYMOVE)
                              : mmap(nullptr, n * sizeof(Event), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (bigger == MAP_FAILED) throw std::bad_alloc();
        if (!mapped) {
          if (size > 0) std::memcpy(bigger, data, size * sizeof(Event));
          std::free(data);
          mapped = true;
        }
        data = static_cast<Event*>(bigger);
        capacity = static_cast<std::uint32_t>(n);
        return;
      }
#endif
      auto* bigger = static_cast<Event*>(std::realloc(data, n * sizeof(Event)));
      if (bigger == nullptr) throw std::bad_alloc();
      data = bigger;
      capacity = static_cast<std::uint32_t>(n);
    }
    void release() {
#if defined(__linux__)
      if (mapped) munmap(data, capacity * sizeof(Event));
      else std::free(data);
#else
      std::free(data);
#endif
      data = nullptr;
      size = capacity = 0;
      mapped = false;
      shed = 0;
    }
    // The pages of the first `consumed` events go back to the system (a
    // mapped bucket only; its events there have been read and moved). A
    // million-node gossip run moves a bucket of a million events down at
    // once: without this, the bucket and the buckets it fills are both
    // resident until the move ends (24 MB more at the peak).
    void shed_front(std::uint32_t consumed) {
#if defined(__linux__) && defined(MADV_DONTNEED)
      if (!mapped) return;
      constexpr std::size_t kPage = 4096;
      const std::size_t end = consumed * sizeof(Event) / kPage * kPage;
      if (end > shed) madvise(reinterpret_cast<char*>(data) + shed, end - shed, MADV_DONTNEED);
      shed = end;
#else
      (void)consumed;
#endif
    }
    static constexpr std::size_t kMapBytes = std::size_t{1} << 16;
    std::size_t shed = 0;  // bytes at the front of a mapped bucket given back by shed_front (until release)
    bool mapped = false;  // data comes from mmap (Linux, kMapBytes or more), else from malloc
  };

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
    buckets_[b].append(e);
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
  // land in bucket 0 and are sorted by seq (a run at one time). Later
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
    if (from.size == 1) {  // the common case in a sparse queue: it is next
      last_ = from.data[0].time;
      zero.append(from.data[0]);
      from.size = 0;
      if (prefetch_ != nullptr) prefetch_(prefetch_context_, zero.data[0].payload);
      return;
    }
    if (from.size <= kRunAtMost) {
      // A few events: they are the next ones out, all before any other
      // bucket's. Sorted by (time, seq) they become the run, at once,
      // instead of descending digit by digit (one move and one refill
      // fewer per event in a gossip run). last_ becomes their latest time:
      // any event of the bucket can stand for last_ without moving the
      // other buckets' events, as every one of them agrees with it on the
      // digits above the bucket's level and on the bucket's own digit.
      for (std::uint32_t i = 0; i < from.size; ++i) zero.append(from.data[i]);
      from.size = 0;
      std::sort(zero.data, zero.data + zero.size, [](const Event& x, const Event& y) {
        return x.time < y.time || (x.time == y.time && x.seq < y.seq);
      });
      last_ = zero.data[zero.size - 1].time;
      if (prefetch_ != nullptr)
        for (std::uint32_t i = 0; i < zero.size; ++i) prefetch_(prefetch_context_, zero.data[i].payload);
      return;
    }
    Time least = from.data[0].time;
    for (std::uint32_t i = 1; i < from.size; ++i) least = std::min(least, from.data[i].time);
    last_ = least;
    // The moved events are the next ones out (unless newer, earlier events
    // arrive). When there are few, announce them: handling them will touch
    // memory a cache miss away, and asking for all of it now lets the
    // misses overlap instead of stalling one event at a time.
    const bool announce = prefetch_ != nullptr && from.size <= kPrefetchBatch;
    // In chunks, whose pages go back to the system as each is moved.
    for (std::uint32_t begin = 0; begin < from.size; begin += kShedEvery) {
      const std::uint32_t end = from.size - begin > kShedEvery ? begin + kShedEvery : from.size;
      for (std::uint32_t i = begin; i < end; ++i) {
        place(from.data[i]);
        if (announce) prefetch_(prefetch_context_, from.data[i].payload);
      }
      if (end < from.size) from.shed_front(end);
    }
    // An emptied bucket keeps its storage for the next fill, unless it is
    // large: a million-node run passes waves of a million events through the
    // high buckets, and keeping every bucket's high-water mark would hold
    // several times the memory the pending events need.
    if (from.capacity > kReleaseAbove || from.shed > 0) from.release();
    else from.size = 0;
    if (zero.size > 1)
      std::sort(zero.data, zero.data + zero.size, [](const Event& x, const Event& y) { return x.seq < y.seq; });
  }

  // An event at or before last_ joins the run at its place in (time, seq)
  // order: its seq is the largest yet, so it goes after every event of the
  // run at its time or earlier. Usually that is the end (an event at the
  // current time); only a run made by refill from a small bucket holds
  // later times, and a push lands inside it when it is scheduled less than
  // one bucket's width ahead.
  void to_run(const Event& e) {
    Bucket& zero = buckets_[0];
    zero.append(e);
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
  static constexpr std::size_t kReleaseAbove = std::size_t{1} << 13;
  static constexpr std::uint32_t kShedEvery = std::uint32_t{1} << 16;  // events (1.5 MB) moved between shed_front calls
  std::array<Bucket, kBuckets> buckets_;
  PrefetchHook prefetch_ = nullptr;
  void* prefetch_context_ = nullptr;
  std::array<std::uint64_t, kWords> occupied_{};
  std::uint64_t summary_ = 0;
  std::size_t head0_ = 0;
  Time last_ = 0;
  Time popped_ = 0;  // the time of the latest pop: no push may come before it
  std::uint64_t seq_ = 0;
  std::size_t size_ = 0;
};

}  // namespace faultline

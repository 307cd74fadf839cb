// SpareEventArrays: the bucket arrays a finished event queue leaves on its
// thread, taken by the next queue there (a sweep's next seed) instead of
// grown again from nothing. The next queue must pop exactly as a fresh one
// would, and the spares must stay within their bound.
#include <doctest/doctest.h>

#include <cstdlib>
#include <queue>
#include <thread>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/engine/event_queue.hpp"
#include "sim/engine/spare_event_arrays.hpp"

using namespace faultline;

namespace {

struct Entry {
  Time time;
  std::uint64_t seq;
};
struct Later {
  bool operator()(const Entry& a, const Entry& b) const {
    return a.time > b.time || (a.time == b.time && a.seq > b.seq);
  }
};

// A queue's life of random pushes (ties, near and far times) and pops,
// each pop compared with a binary heap's. Returns the spares' bytes after
// its pushes, before it ends.
std::size_t run_one_queue(std::uint64_t seed, bool& same_order) {
  Rng rng(seed);
  EventQueue q;
  std::priority_queue<Entry, std::vector<Entry>, Later> oracle;
  std::uint64_t seq = 0;
  Time now = 0;
  for (int step = 0; step < 20000; ++step) {
    if (oracle.empty() || rng.below(100) < 55) {
      const Time t = now + static_cast<Time>(rng.below(4) == 0 ? rng.below(1ULL << 30) : rng.below(2000));
      q.push(t, seq);
      oracle.push(Entry{t, seq});
      ++seq;
    } else {
      const Event got = q.pop();
      same_order = same_order && got.time == oracle.top().time && got.payload == oracle.top().seq;
      now = got.time;
      oracle.pop();
    }
  }
  const std::size_t spare_bytes = SpareEventArrays::of_this_thread().bytes();
  while (!oracle.empty()) {
    const Event got = q.pop();
    same_order = same_order && got.time == oracle.top().time && got.payload == oracle.top().seq;
    oracle.pop();
  }
  return spare_bytes;
}

}  // namespace

TEST_CASE("a queue takes the bucket arrays the queue before it on its thread left and pops as a fresh one") {
  // A thread of its own: its spares start empty, whatever ran on this one.
  bool first_in_order = true, second_in_order = true;
  std::size_t at_start = 1, left_by_first = 0, during_second = 0;
  std::thread([&] {
    at_start = SpareEventArrays::of_this_thread().bytes();
    run_one_queue(1, first_in_order);
    left_by_first = SpareEventArrays::of_this_thread().bytes();
    during_second = run_one_queue(2, second_in_order);
  }).join();
  CHECK(at_start == 0);
  CHECK(first_in_order);
  CHECK(second_in_order);  // arrays taken from the spares hold what a grown one would
  if constexpr (SpareEventArrays::kMaxBytes == 0) {  // AddressSanitizer: nothing is kept
    CHECK(left_by_first == 0);
  } else {
    CHECK(left_by_first > 0);                 // the first queue's arrays were kept...
    CHECK(during_second < left_by_first);     // ...and the second took some of them
  }
}

TEST_CASE("spare event arrays keep only a bucket's sizes and at most their bound") {
  std::thread([] {
    SpareEventArrays& spares = SpareEventArrays::of_this_thread();
    constexpr std::size_t kLargest = 256;
    const std::size_t array_bytes = kLargest * sizeof(Event);
    for (std::size_t i = 0; i < 2 * SpareEventArrays::kMaxBytes / array_bytes + 2; ++i)
      spares.give(static_cast<Event*>(std::malloc(array_bytes)), kLargest);
    CHECK(spares.bytes() <= SpareEventArrays::kMaxBytes);
    CHECK(spares.bytes() + array_bytes > SpareEventArrays::kMaxBytes);  // full: the rest were freed
    const std::size_t full = spares.bytes();
    spares.give(static_cast<Event*>(std::malloc(48 * sizeof(Event))), 48);  // not a bucket array's size: freed
    CHECK(spares.bytes() == full);
    CHECK(spares.take(48) == nullptr);
    CHECK(spares.take(512) == nullptr);
    Event* taken = spares.take(kLargest);
    if constexpr (SpareEventArrays::kMaxBytes == 0) {
      CHECK(taken == nullptr);
    } else {
      REQUIRE(taken != nullptr);
      CHECK(spares.bytes() == full - array_bytes);
      spares.give(taken, kLargest);
      CHECK(spares.bytes() == full);
    }
  }).join();
}

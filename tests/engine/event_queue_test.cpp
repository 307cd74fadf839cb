// The event queue pops in (time, seq) order, checked against a binary-heap
// oracle over random interleavings, many ties, and huge time jumps.
#include <doctest/doctest.h>

#include <queue>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/engine/event_queue.hpp"

using namespace faultline;

namespace {

// The oracle's entries carry the push count the queue's do not.
struct Entry {
  Time time;
  std::uint64_t seq;
  std::uint64_t payload;
};
struct Later {
  bool operator()(const Entry& a, const Entry& b) const {
    return a.time > b.time || (a.time == b.time && a.seq > b.seq);
  }
};
using Oracle = std::priority_queue<Entry, std::vector<Entry>, Later>;

// Pops one event from the queue and one from the oracle; they must be the
// same event. Returns it.
Event pop_both_and_compare(EventQueue& q, Oracle& oracle) {
  const Event got = q.pop();
  const Entry want = oracle.top();
  oracle.pop();
  REQUIRE(got.time == want.time);
  REQUIRE(got.payload == want.payload);
  return got;
}

// Pushes `n` events at random times in [base, base + 2^spread_bits) to
// both (many ties when n is large against the spread).
void push_random(EventQueue& q, Oracle& oracle, Rng& rng, std::uint64_t& seq, int n, Time base, int spread_bits) {
  for (int i = 0; i < n; ++i) {
    const Time t = base + static_cast<Time>(rng.below(1ULL << spread_bits));
    q.push(t, seq);
    oracle.push(Entry{t, seq, seq});
    ++seq;
  }
}

// Pops both until empty, comparing; after every `every`-th pop (while fewer
// than `until` have been popped) pushes one event up to 2^spread_bits after
// the one popped, so pushes interleave with the moves the pops cause.
void drain_pushing(EventQueue& q, Oracle& oracle, Rng& rng, std::uint64_t& seq, std::uint64_t every,
                   std::uint64_t until, int spread_bits) {
  std::uint64_t popped = 0;
  while (!oracle.empty()) {
    const Event got = pop_both_and_compare(q, oracle);
    if (++popped % every == 0 && popped < until) push_random(q, oracle, rng, seq, 1, got.time, spread_bits);
  }
}

// Increments that make ties common and jumps large.
Duration draw_increment(Rng& rng) {
  switch (rng.below(6)) {
    case 0:
    case 1:
    case 2: return 0;
    case 3: return 1;
    case 4: return static_cast<Duration>(rng.below(1000));
    default: return static_cast<Duration>(rng.below(1ULL << 40));
  }
}

}  // namespace

TEST_CASE("equal times pop in push order") {
  EventQueue q;
  for (std::uint64_t i = 0; i < 100; ++i) q.push(5, i);
  q.push(3, 1000);
  CHECK(q.next_time() == 3);
  CHECK(q.pop().payload == 1000);
  for (std::uint64_t i = 0; i < 50; ++i) CHECK(q.pop().payload == i);
  for (std::uint64_t i = 0; i < 10; ++i) q.push(5, 200 + i);  // same time as the pending ones, pushed later
  for (std::uint64_t i = 50; i < 100; ++i) CHECK(q.pop().payload == i);
  for (std::uint64_t i = 0; i < 10; ++i) CHECK(q.pop().payload == 200 + i);
  CHECK(q.empty());
}

TEST_CASE("random interleavings match a binary-heap oracle") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    EventQueue q;
    Oracle oracle;
    std::uint64_t seq = 0;
    Time now = 0;
    for (int step = 0; step < 20000; ++step) {
      const bool do_push = oracle.empty() || rng.below(100) < 55;
      if (do_push) {
        const Time t = now + draw_increment(rng);
        q.push(t, seq);
        oracle.push(Entry{t, seq, seq});
        ++seq;
      } else {
        REQUIRE(q.next_time() == oracle.top().time);
        now = pop_both_and_compare(q, oracle).time;
      }
      REQUIRE(q.size() == oracle.size());
    }
    while (!oracle.empty()) {
      const Event got = q.pop();
      REQUIRE(got.payload == oracle.top().payload);
      oracle.pop();
    }
    CHECK(q.empty());
    CHECK(q.pushed() == seq);
  }
}

TEST_CASE("times near the top of the range and big jumps keep their order") {
  EventQueue q;
  const Time big = Time{1} << 62;
  q.push(big, 1);
  q.push(7, 2);
  q.push(big - 1, 3);
  q.push(big, 4);
  CHECK(q.pop().payload == 2);
  CHECK(q.pop().payload == 3);
  CHECK(q.pop().payload == 1);
  q.push(big, 5);
  CHECK(q.pop().payload == 4);
  CHECK(q.pop().payload == 5);
}

TEST_CASE("scheduling into the past is a bug") {
  EventQueue q;
  q.push(10, 0);
  q.pop();
  CHECK_THROWS_AS(q.push(9, 0), std::logic_error);
  CHECK_NOTHROW(q.push(10, 0));
}

TEST_CASE("a push between the times of a refilled run pops in its place") {
  // Three events in one bucket (they differ from time 0 first in bits 8..15,
  // all with the same digit there): they become the run together, and a
  // later push between their times must pop between them.
  EventQueue q;
  q.push(0x1010, 1);
  q.push(0x1030, 2);
  q.push(0x1020, 3);
  CHECK(q.next_time() == 0x1010);
  CHECK(q.pop().payload == 1);
  q.push(0x1018, 4);  // before both remaining events of the run
  q.push(0x1030, 5);  // ties with the run's last: after it (pushed later)
  q.push(0x1020, 6);  // ties with 3: after it
  q.push(0x1031, 7);  // after the run: in a bucket
  CHECK_THROWS_AS(q.push(0x100f, 0), std::logic_error);  // before the last pop
  for (std::uint64_t want : {4, 3, 6, 2, 5, 7}) CHECK(q.pop().payload == want);
  CHECK(q.empty());
}

TEST_CASE("a bucket of many chunks moves down whole and in order") {
  // 300,000 events past 2^32 ns while the queue is at 0 share one bucket
  // (its array, then 109 chunks); the first pop moves them all down,
  // handing each chunk back once its events are moved. Pushes during the
  // pops interleave.
  Rng rng(7);
  EventQueue q;
  Oracle oracle;
  std::uint64_t seq = 0;
  const Time base = Time{1} << 32;
  push_random(q, oracle, rng, seq, 300000, base, 20);  // many ties
  drain_pushing(q, oracle, rng, seq, 3, 200000, 22);
  CHECK(q.empty());
}

TEST_CASE("large buckets reuse the pool's chunks wave after wave and pop in order") {
  // Each wave pushes 150,000 events (2.4 MB, chunks of two slabs) into one
  // far bucket, then pops them all against the oracle, pushing more as it
  // goes; the first pop of a wave moves the bucket down chunk by chunk into
  // buckets that take chunks of their own. Chunks handed back are reused:
  // after the first wave the pool takes no new slab.
  Rng rng(11);
  EventQueue q;
  Oracle oracle;
  std::uint64_t seq = 0;
  std::size_t slabs_after_first = 0;
  for (int wave = 0; wave < 6; ++wave) {
    const Time base = (Time{wave} + 1) << 32;
    push_random(q, oracle, rng, seq, 150000, base, 20);
    drain_pushing(q, oracle, rng, seq, 4, 90000, 18);
    CHECK(q.empty());
    if (wave == 0) slabs_after_first = q.chunk_slabs();
    CHECK(q.chunk_slabs() >= 2);
    CHECK(q.chunk_slabs() == slabs_after_first);
  }
}

TEST_CASE("pushes inside a sorted run's window and ties with it pop in (time seq) order") {
  // A bucket of a few thousand events (more than a run of 64, few enough
  // to be radix-sorted whole) becomes the sorted run; while it is popped,
  // pushes land inside its time window (into the buckets), at times it
  // holds (ties: after its events, pushed earlier), and at or before its
  // least time (into the run). Every level of bucket is sorted once: the
  // windows are 2^spread wide, spread from 9 to 57 bits.
  for (int spread : {9, 12, 14, 20, 27, 35, 43, 51, 57}) {
    Rng rng(static_cast<std::uint64_t>(spread));
    EventQueue q;
    Oracle oracle;
    std::uint64_t seq = 0;
    for (int wave = 0; wave < 3; ++wave) {
      const Time base = (Time{wave} + 1) << 58;
      push_random(q, oracle, rng, seq, 3000, base, spread);
      std::uint64_t popped = 0;
      while (!oracle.empty()) {
        REQUIRE(q.next_time() == oracle.top().time);
        const Event got = pop_both_and_compare(q, oracle);
        if (++popped > 4000) continue;
        switch (rng.below(4)) {
          case 0: push_random(q, oracle, rng, seq, 1, got.time, 0); break;  // at the time just popped
          case 1: push_random(q, oracle, rng, seq, 1, got.time, spread / 4 + 1); break;  // just ahead
          case 2: push_random(q, oracle, rng, seq, 2, got.time, spread); break;  // anywhere in the window
          default: break;
        }
        if (!oracle.empty() && rng.below(8) == 0) {  // a tie with the next event due
          const Time t = oracle.top().time;
          q.push(t, seq);
          oracle.push(Entry{t, seq, seq});
          ++seq;
        }
      }
      CHECK(q.empty());
    }
  }
}

TEST_CASE("pushes deep inside a long run and ties with its events pop in (time seq) order") {
  // A few dozen events in one bucket of a high level become the run, which
  // then spans about 2^31 ns (a Raft run of a few dozen pending events looks
  // like this): nearly every later push lands inside it, most more than a
  // few places from its end (binary search and memmove in to_run). Times
  // on a coarse grid, so that many pushes tie with events already there.
  EventQueue q;
  Oracle oracle;
  Rng rng(2026);
  std::uint64_t seq = 0;
  const Time base = Time{1} << 32;
  auto push = [&](Time t) {
    q.push(t, seq);
    oracle.push(Entry{t, seq, seq});
    ++seq;
  };
  for (int i = 0; i < 60; ++i) push(base + static_cast<Time>(rng.below(64)) * (Time{1} << 25));
  Time now = pop_both_and_compare(q, oracle).time;
  for (int round = 0; round < 20000 && !oracle.empty(); ++round) {
    const int pushes = static_cast<int>(rng.below(3));
    for (int k = 0; k < pushes; ++k) {
      const Time grid = base + static_cast<Time>(rng.below(64)) * (Time{1} << 25);
      push(grid >= now ? grid : now + static_cast<Time>(rng.below(4)));  // ties with the grid, and at the popped time
    }
    now = pop_both_and_compare(q, oracle).time;
  }
  while (!oracle.empty()) pop_both_and_compare(q, oracle);
  CHECK(q.empty());
}

namespace {

// A DeadTest over a set of payloads that only grows, as a simulation's
// stale timers do (the queue may drop an event once it is in the set).
struct DeadPayloads {
  static constexpr bool kDrops = true;
  const std::vector<char>* dead = nullptr;
  bool operator()(std::uint64_t payload) const { return (*dead)[payload] != 0; }
};
using DroppingQueue = BasicEventQueue<DeadPayloads>;

// The next live event of the queue, skipping a dead one that reached the
// top (as Simulation::run does); false when none is left. `popped`: the
// time of the latest pop, dead or alive (no push may come before it).
bool pop_live(DroppingQueue& q, const std::vector<char>& dead, Event& out, Time& popped) {
  while (!q.empty()) {
    const Event& top = q.top();
    if (q.empty()) {  // every event left was dead, and dropped
      REQUIRE(top.time == DroppingQueue::kNoEvent.time);
      return false;
    }
    out = top;
    q.pop_top();
    popped = out.time;
    if (!dead[out.payload]) return true;
  }
  return false;
}

// The oracle's next live entry, skipping dead ones.
bool pop_live(Oracle& oracle, const std::vector<char>& dead, Entry& out) {
  while (!oracle.empty()) {
    out = oracle.top();
    oracle.pop();
    if (!dead[out.payload]) return true;
  }
  return false;
}

// A dropping queue and the oracle, given the same pushes; `dead[payload]`
// says which events died (set by the test, never cleared).
struct DyingEvents {
  DroppingQueue q;
  Oracle oracle;
  std::vector<char> dead;
  std::uint64_t seq = 0, live_popped = 0;
  Time now = 0;  // the latest pop's time
  explicit DyingEvents(Time start) : now(start) {
    dead.reserve(1 << 20);
    q.set_dead_test(DeadPayloads{&dead});
  }
  DyingEvents(const DyingEvents&) = delete;
  DyingEvents& operator=(const DyingEvents&) = delete;
  void push(Time t) {
    dead.push_back(0);
    q.push(t, seq);
    oracle.push(Entry{t, seq, seq});
    ++seq;
  }
  // The next live event of each: the same in both, or neither has one.
  bool pop_both() {
    Event got{};
    Entry want{};
    const bool has = pop_live(oracle, dead, want);
    REQUIRE(pop_live(q, dead, got, now) == has);
    if (has) {
      REQUIRE(got.time == want.time);
      REQUIRE(got.payload == want.payload);
      now = got.time;
      ++live_popped;
    }
    return has;
  }
};

}  // namespace

TEST_CASE("a queue that drops dead events pops the live ones in the oracle's order") {
  // Events die at random moments (more as the run goes on: whole buckets
  // die), while they wait in buckets of every size: single events, runs of
  // up to 64, sorted runs of up to 4,096 and large buckets in chunks. The
  // live events must pop exactly as a heap that never dropped any pops
  // them, skipping the dead at their pops: none lost, none reordered.
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Rng rng(seed * 7919);
    DyingEvents run(0);
    auto& [q, oracle, dead, seq, live_popped, now] = run;
    auto push = [&](Time t) { run.push(t); };
    auto pop_both = [&] { return run.pop_both(); };
    auto kill_some = [&](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n && seq > 0; ++i) dead[rng.below(seq)] = 1;
    };
    const int spread = static_cast<int>(8 + rng.below(40));
    for (int wave = 0; wave < 4; ++wave) {
      // A burst: a bucket big enough to sort or to move in chunks.
      const int burst = static_cast<int>(rng.below(3) == 0 ? 9000 : rng.below(5000));
      for (int i = 0; i < burst; ++i) push(now + static_cast<Time>(rng.below(std::uint64_t{1} << spread)));
      kill_some(rng.below(static_cast<std::uint64_t>(burst) + 1) * static_cast<std::uint64_t>(wave + 1) / 3);
      for (int step = 0; step < 15000; ++step) {
        const std::uint64_t r = rng.below(100);
        if (r < 45) {
          push(now + (rng.below(2) == 0 ? draw_increment(rng) : static_cast<Time>(rng.below(std::uint64_t{1} << spread))));
        } else if (r < 55) {
          kill_some(1 + rng.below(4));
        } else {
          pop_both();
        }
      }
    }
    // Everything left dies but a few: the queue drops the rest unseen.
    for (std::uint64_t i = 0; i < seq; ++i)
      if (rng.below(50) != 0) dead[i] = 1;
    while (pop_both()) {
    }
    CHECK(q.empty());
    CHECK(live_popped > 0);
  }
}

TEST_CASE("a queue whose events all died is empty at top()") {
  std::vector<char> dead(3, 0);
  DroppingQueue q;
  q.set_dead_test(DeadPayloads{&dead});
  q.push(Time{1} << 30, 0);
  q.push((Time{1} << 30) + 5, 1);
  q.push(Time{1} << 40, 2);
  dead[0] = dead[1] = dead[2] = 1;
  CHECK(!q.empty());
  CHECK(q.top().time == DroppingQueue::kNoEvent.time);
  CHECK(q.empty());
  q.push(Time{1} << 41, 1);  // a later push is still allowed (payload 1 is dead: dropped too)
  dead.push_back(0);
  q.push(Time{1} << 42, 3);
  CHECK(q.pop().payload == 3);
  CHECK(q.empty());
}

TEST_CASE("a dense queue's run takes the next small buckets of its level and pops in (time seq) order") {
  // About an event every 65 us, as in the Raft hour: most level-3 buckets
  // (65.5 us digits) hold one or two events, and a refill takes the lowest
  // one and the next small ones of its level within its window
  // (take_following). Times on a 16 us grid, so that events tie within a
  // bucket and with later pushes; pushes from 0 to 3 ms ahead, some inside
  // the run's window; in even seeds events die as well. The live events
  // must pop exactly as the oracle pops them.
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Rng rng(seed * 104729);
    DyingEvents run(Time{1} << 32);
    auto& [q, oracle, dead, seq, live_popped, now] = run;
    auto push = [&](Time t) { run.push(t); };
    auto pop_both = [&] { return run.pop_both(); };
    constexpr Time kGrid = 16'000;  // 16 us
    const bool kills = seed % 2 == 0;
    for (int i = 0; i < 300; ++i) push(now + static_cast<Time>(rng.below(1250)) * kGrid);  // 20 ms ahead
    for (int step = 0; step < 40000; ++step) {
      const std::uint64_t r = rng.below(100);
      if (r < 47) {
        switch (rng.below(4)) {
          case 0: push(now); break;                                                         // at the popped time
          case 1: push(now + static_cast<Time>(rng.below(64'000))); break;                  // inside the run's window
          case 2: push((now / kGrid + 1 + static_cast<Time>(rng.below(200))) * kGrid); break;  // ties on the grid, up to 3.2 ms
          default: push(now + 1'000'000 + static_cast<Time>(rng.below(2'000'000))); break;  // a message, 1-3 ms
        }
      } else if (r < 52 && kills) {
        dead[rng.below(seq)] = 1;
      } else if (!pop_both()) {
        push(now + kGrid);
      }
    }
    while (pop_both()) {
    }
    CHECK(q.empty());
    CHECK(live_popped > 15000);
  }
}

// The linearizability checker against hand-made histories with known answers
// and against a brute-force oracle (every permutation) on random small ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>

#include "protocols/host/rng.hpp"
#include "sim/checkers/linearizability.hpp"
#include "tests/support/linearizability_oracle.hpp"

using namespace faultline;
using namespace faultline::testing;
using K = KvOperation::Kind;

namespace {

KvOperation op(std::uint32_t client, K kind, Time invoked, Time completed, std::string value = "",
               std::string output = "", bool cas_ok = false, std::string expected = "") {
  KvOperation o;
  o.client = client;
  o.kind = kind;
  o.key = "x";
  o.value = std::move(value);
  o.expected = std::move(expected);
  o.invoked = invoked;
  o.completed = completed;
  o.output = std::move(output);
  o.cas_ok = cas_ok;
  return o;
}
KvOperation get(std::uint32_t c, Time a, Time b, std::string out) { return op(c, K::kGet, a, b, "", std::move(out)); }
KvOperation put(std::uint32_t c, Time a, Time b, std::string v) { return op(c, K::kPut, a, b, std::move(v)); }
KvOperation cas(std::uint32_t c, Time a, Time b, std::string from, std::string to, bool ok) {
  return op(c, K::kCas, a, b, std::move(to), "", ok, std::move(from));
}
constexpr Time kNever = KvOperation::kNever;

bool linearizable(const KvHistory& h) { return check_linearizability(h).verdict == LinearizabilityResult::Verdict::kLinearizable; }

}  // namespace

TEST_CASE("hand-made histories with known answers") {
  // Sequential: a read sees the last write.
  CHECK(linearizable({put(1, 0, 10, "a"), get(2, 20, 30, "a")}));
  // Stale read: the write finished before the read began.
  CHECK_FALSE(linearizable({put(1, 0, 10, "a"), get(2, 20, 30, "")}));
  // Concurrent read may see the old value or the new one.
  CHECK(linearizable({put(1, 0, 10, "a"), get(2, 5, 6, "")}));
  CHECK(linearizable({put(1, 0, 10, "a"), get(2, 5, 6, "a")}));
  // Two concurrent writes: later reads agree on one winner, and never flip back.
  CHECK(linearizable({put(1, 0, 10, "a"), put(2, 0, 10, "b"), get(3, 20, 30, "a"), get(3, 40, 50, "a")}));
  CHECK_FALSE(linearizable({put(1, 0, 10, "a"), put(2, 0, 10, "b"), get(3, 20, 30, "a"), get(3, 40, 50, "b")}));
  // An unanswered write may take effect late, or never.
  CHECK(linearizable({put(1, 0, kNever, "a"), get(2, 100, 110, "a")}));
  CHECK(linearizable({put(1, 0, kNever, "a"), get(2, 100, 110, ""), get(2, 200, 210, "a")}));
  CHECK_FALSE(linearizable({put(1, 0, kNever, "a"), get(2, 100, 110, "a"), get(2, 200, 210, "")}));
  // Compare-and-set: two successes from the same expected value cannot both happen.
  CHECK(linearizable({cas(1, 0, 10, "", "x", true), get(2, 20, 30, "x")}));
  CHECK_FALSE(linearizable({cas(1, 0, 10, "", "x", true), cas(2, 0, 10, "", "y", true)}));
  CHECK(linearizable({cas(1, 0, 10, "", "x", true), cas(2, 0, 10, "", "y", false)}));
  // Append accumulates in linearization order.
  CHECK(linearizable({op(1, K::kAppend, 0, 10, "a"), op(2, K::kAppend, 0, 10, "b"), get(3, 20, 30, "ba")}));
  CHECK_FALSE(linearizable({op(1, K::kAppend, 0, 10, "a"), op(2, K::kAppend, 20, 30, "b"), get(3, 40, 50, "ba")}));
}

TEST_CASE("keys are checked independently") {
  KvOperation a = put(1, 0, 10, "1");
  KvOperation b = get(2, 20, 30, "");
  b.key = "y";  // a different key: not stale
  CHECK(linearizable({a, b}));
}

TEST_CASE("agrees with a brute-force oracle on random small histories") {
  int disagreements = 0, bad = 0;
  for (std::uint64_t seed = 1; seed <= 1500; ++seed) {
    Rng rng(seed);
    // A real sequential execution with random intervals around each step,
    // then (sometimes) one answer corrupted.
    const int n = 2 + static_cast<int>(rng.below(5));
    KvHistory h;
    std::string state;
    Time t = 0;
    for (int i = 0; i < n; ++i) {
      t += static_cast<Time>(rng.below(10));
      KvOperation o;
      o.client = static_cast<std::uint32_t>(i);
      o.key = "k";
      const auto kind = rng.below(4);
      o.kind = kind == 0 ? K::kGet : kind == 1 ? K::kPut : kind == 2 ? K::kAppend : K::kCas;
      o.value = std::string(1, static_cast<char>('a' + rng.below(3)));
      o.expected = rng.below(2) ? state : std::string(1, static_cast<char>('a' + rng.below(3)));
      const Time effect = t;
      o.invoked = effect - static_cast<Time>(rng.below(15));
      o.completed = rng.below(8) == 0 ? kNever : effect + static_cast<Time>(rng.below(15));
      take_effect(o, state);
      h.push_back(o);
    }
    if (rng.below(2)) {  // corrupt one answer
      auto& victim = h[rng.below(h.size())];
      if (victim.kind == K::kGet) victim.output += "z";
      else if (victim.kind == K::kCas) victim.cas_ok = !victim.cas_ok;
    }
    const bool expected = brute_force(h);
    bad += !expected;
    if (linearizable(h) != expected) {
      ++disagreements;
      for (const auto& o : h) MESSAGE(describe(o));
    }
  }
  CHECK(disagreements == 0);
  CHECK(bad > 100);  // the corruption produced real violations to find
}

TEST_CASE("a failure is reported with a small witness") {
  KvHistory h;
  for (int i = 0; i < 200; ++i) {
    h.push_back(put(1, i * 100, i * 100 + 10, std::to_string(i)));
    h.push_back(get(2, i * 100 + 20, i * 100 + 30, std::to_string(i)));
  }
  h.push_back(get(3, 200 * 100, 200 * 100 + 5, "17"));  // stale by far
  const auto r = check_linearizability(h);
  REQUIRE(r.verdict == LinearizabilityResult::Verdict::kNotLinearizable);
  CHECK(r.key == "x");
  CHECK(r.witness.size() <= 202);  // the stale read plus the writes it needs, no other reads
  std::size_t reads = 0;
  for (const auto& o : r.witness) reads += o.kind == K::kGet;
  CHECK(reads == 1);
  CHECK(r.witness.back().output == "17");
}

TEST_CASE("the search is bounded: a tiny budget gives unknown, never a wrong verdict") {
  KvHistory h;
  for (std::uint32_t c = 0; c < 12; ++c) h.push_back(put(c, 0, 1000, std::to_string(c)));
  h.push_back(get(99, 2000, 2001, "nope"));
  const auto tiny = check_linearizability(h, 50);
  CHECK(tiny.verdict == LinearizabilityResult::Verdict::kUnknown);
  CHECK(tiny.ok());
  const auto full = check_linearizability(h);
  CHECK(full.verdict == LinearizabilityResult::Verdict::kNotLinearizable);
}

namespace {

// A random history whose unanswered operations took effect or not: a real
// sequential execution, each operation's interval around its effect, half of
// them never answered and half of those never applied; values from a small
// alphabet (appends build values no read finds: dead ones) and unique ones.
KvHistory unanswered_heavy(Rng& rng, int n) {
  KvHistory h;
  std::string state;
  Time t = 0;
  for (int i = 0; i < n; ++i) {
    t += static_cast<Time>(rng.below(10));
    KvOperation o;
    o.client = static_cast<std::uint32_t>(i);
    o.key = "k";
    const auto kind = rng.below(4);
    o.kind = kind == 0 ? K::kGet : kind == 1 ? K::kPut : kind == 2 ? K::kAppend : K::kCas;
    o.value = rng.below(4) == 0 ? "u" + std::to_string(i) : std::string(1, static_cast<char>('a' + rng.below(3)));
    o.expected = rng.below(2) ? state : std::string(1, static_cast<char>('a' + rng.below(3)));
    o.invoked = t - static_cast<Time>(rng.below(15));
    const bool answered = rng.below(2) == 0;
    const bool applied = answered || rng.below(2) == 0;
    o.completed = answered ? t + static_cast<Time>(rng.below(15)) : kNever;
    if (applied) take_effect(o, state);  // clears the output of one never answered
    if (!answered) o.cas_ok = false;
    h.push_back(o);
  }
  return h;
}

// A history like the one swarm seed 17 of raft/nemesis.yaml left (7 clients,
// many requests timed out): one key, `clients` closed-loop clients for
// `duration`, and every ~3000 time units an outage (a leader lost) during
// which every request times out; a request timed out took effect when the
// outage ended with probability 1/3, or never. Requests straddling an
// outage's start half the time are answered late, after it. Linearizable by
// construction: each operation takes effect once, inside its interval.
KvHistory outage_history(std::uint64_t seed, int clients, Time duration) {
  Rng rng(seed);
  std::vector<std::pair<Time, Time>> outages;
  for (Time t = 3000; t < duration; t += 3000) {
    const Time start = t + static_cast<Time>(rng.below(1500));
    outages.push_back({start, start + 600 + static_cast<Time>(rng.below(1200))});
  }
  auto outage_at = [&](Time t) -> const std::pair<Time, Time>* {
    for (const auto& o : outages)
      if (t >= o.first && t < o.second) return &o;
    return nullptr;
  };
  struct Planned {
    KvOperation op;
    Time effect;
    bool applied;
  };
  std::vector<Planned> planned;
  for (int c = 0; c < clients; ++c) {
    Time t = static_cast<Time>(rng.below(100));
    for (int i = 0; t < duration; ++i) {
      Planned p{};
      p.op.client = static_cast<std::uint32_t>(c);
      p.op.key = "k";
      const auto k = rng.below(100);
      p.op.kind = k < 28 ? K::kGet : k < 63 ? K::kPut : k < 80 ? K::kAppend : K::kCas;
      p.op.value = std::to_string(c) + "." + std::to_string(i);  // unique, as the workload's
      p.op.invoked = t;
      const Time latency = 20 + static_cast<Time>(rng.below(80));
      if (const auto* o = outage_at(t + latency)) {
        p.effect = o->second + static_cast<Time>(rng.below(20));
        if (rng.below(2)) {  // answered by the next leader
          p.applied = true;
          p.op.completed = p.effect + 1 + static_cast<Time>(rng.below(40));
          t = p.op.completed;
        } else {  // timed out
          p.applied = rng.below(3) == 0;
          t += 200;
        }
      } else {
        p.applied = true;
        p.effect = t + 1 + static_cast<Time>(rng.below(static_cast<std::uint64_t>(latency - 1)));
        p.op.completed = t + latency;
        t += latency;
      }
      t += static_cast<Time>(rng.below(30));
      planned.push_back(std::move(p));
    }
  }
  std::vector<std::size_t> order(planned.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return planned[a].effect < planned[b].effect; });
  std::string state;
  std::vector<std::string> seen;
  for (std::size_t i : order) {
    Planned& p = planned[i];
    KvOperation& o = p.op;
    if (o.kind == K::kCas) o.expected = rng.below(2) || seen.empty() ? state : seen[rng.below(seen.size())];
    if (!p.applied) continue;
    take_effect(o, state);
    seen.push_back(state);
    if (!o.answered()) o.cas_ok = false;
  }
  KvHistory h;
  for (auto& p : planned) h.push_back(std::move(p.op));
  return h;
}

}  // namespace

TEST_CASE("agrees with the brute-force oracle on histories full of unanswered operations") {
  // The search's rules for unanswered operations (tried only where the
  // answered ones are stuck, subsumption, dead values as one state, dead
  // puts interchangeable) must drop no linearization the oracle finds.
  int disagreements = 0, bad = 0, unanswered = 0;
  for (std::uint64_t seed = 1; seed <= 1200; ++seed) {
    Rng rng(seed * 7919);
    KvHistory h = unanswered_heavy(rng, 3 + static_cast<int>(rng.below(4)));
    if (rng.below(2)) {  // corrupt one answer
      auto& victim = h[rng.below(h.size())];
      if (victim.kind == K::kGet && victim.answered()) victim.output = rng.below(2) ? "" : victim.output + "a";
      else if (victim.kind == K::kCas && victim.answered()) victim.cas_ok = !victim.cas_ok;
    }
    for (const auto& o : h) unanswered += !o.answered();
    const bool expected = brute_force(h);
    bad += !expected;
    if (linearizable(h) != expected) {
      ++disagreements;
      for (const auto& o : h) MESSAGE(describe(o));
    }
  }
  CHECK(disagreements == 0);
  CHECK(bad > 40);  // the corruption produced real violations to find
  CHECK(unanswered > 1500);
}

TEST_CASE("timed-out requests do not multiply the search: a history like swarm seed 17's is decided in few steps") {
  // 7 clients, about 1,200 operations on one key, 34 to 48 of them never
  // answered. The former search (unanswered operations placed as soon as
  // invoked, memoized on the exact set) took 14.9M steps on seed 2 and ran
  // out of its 20M-step budget on seeds 1, 3 and 4 ("unknown"); this one
  // needs 104,000 to 229,000.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    KvHistory h = outage_history(seed, 7, 20000);
    std::size_t unanswered = 0;
    for (const auto& o : h) unanswered += !o.answered();
    CHECK(unanswered >= 30);
    const auto r = check_linearizability(h);
    CHECK(r.verdict == LinearizabilityResult::Verdict::kLinearizable);
    CHECK(r.steps < 500'000);
    if (seed != 1) continue;

    // The same history with one read made stale is caught: it returns the
    // value of an early answered put, long overwritten. (Early in the
    // history, so the witness's minimization stays short.)
    std::string old_value;
    for (const auto& o : h)
      if (o.kind == K::kPut && o.answered() && o.completed < 2000) old_value = o.value;
    REQUIRE_FALSE(old_value.empty());
    for (auto& o : h) {
      if (o.kind != K::kGet || !o.answered() || o.invoked < 5000) continue;
      o.output = old_value;
      break;
    }
    const auto stale = check_linearizability(h);
    CHECK(stale.verdict == LinearizabilityResult::Verdict::kNotLinearizable);
    CHECK(stale.steps < 2'000'000);
    CHECK(std::any_of(stale.witness.begin(), stale.witness.end(),
                      [&](const KvOperation& o) { return o.kind == K::kGet && o.output == old_value; }));
  }
}

TEST_CASE("the search takes the steps of a search that remembers every configuration from the start") {
  // The search remembers nothing until its first undo or unanswered move
  // (KeySearch::remember_path): until then no configuration could be
  // subsumed. The steps it takes, which the swept metric
  // linearizability_steps reports, were pinned to those of the search that
  // remembered every configuration as it went (measured before the change):
  // 546,463, 215,963 and 4,571. Since the windows (check_in_windows, 3 Dec
  // 2026) they are pinned to the figures below: the outage histories take 5
  // steps more each, the first path's before it is stuck in the first
  // window (that window is most of the history, so it is searched whole,
  // as before); the small unanswered-heavy ones 34% more, windows searched
  // and then searched again from further back.
  std::uint64_t outage_steps = 0, stale_steps = 0, heavy_steps = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    KvHistory h = outage_history(seed, 7, 20000);
    outage_steps += check_linearizability(h).steps;
    for (auto& o : h) {  // one read made stale, as above
      if (o.kind != K::kGet || !o.answered() || o.invoked < 5000) continue;
      o.output = "stale";
      break;
    }
    stale_steps += check_linearizability(h).steps;
  }
  for (std::uint64_t seed = 1; seed <= 1200; ++seed) {
    Rng rng(seed * 7919);
    KvHistory h = unanswered_heavy(rng, 3 + static_cast<int>(rng.below(4)));
    heavy_steps += check_linearizability(h).steps;
  }
  CHECK(outage_steps == 546478);
  CHECK(stale_steps == 215978);
  CHECK(heavy_steps == 6117);
}

namespace {

// One key's random history (a real sequential execution, random intervals
// around each effect, some answers missing, sometimes one corrupted) over
// values of 1 to 12 bytes that are prefixes of one another, so the value
// names' 8-byte heads meet values of every length, ties and prefixes.
KvHistory long_value_history(Rng& rng, const std::string& key) {
  static const char* const kValues[] = {"a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh",
                                        "abcdefghi", "abcdefghijkl", "abd", "abcdefgz", "abcdefghz"};
  const auto value = [&] { return std::string(kValues[rng.below(std::size(kValues))]); };
  KvHistory h;
  std::string state;
  Time t = 0;
  const int n = 2 + static_cast<int>(rng.below(5));
  for (int i = 0; i < n; ++i) {
    t += static_cast<Time>(rng.below(10));
    KvOperation o;
    o.client = static_cast<std::uint32_t>(i);
    o.key = key;
    const auto kind = rng.below(4);
    o.kind = kind == 0 ? K::kGet : kind == 1 ? K::kPut : kind == 2 ? K::kAppend : K::kCas;
    o.value = o.kind == K::kAppend ? std::string(rng.below(2) ? "d" : "efgh") : value();
    o.expected = rng.below(2) ? state : value();
    o.invoked = t - static_cast<Time>(rng.below(15));
    o.completed = rng.below(8) == 0 ? kNever : t + static_cast<Time>(rng.below(15));
    take_effect(o, state);
    h.push_back(o);
  }
  if (rng.below(3) == 0) {  // corrupt one answer
    auto& victim = h[rng.below(h.size())];
    if (victim.kind == K::kGet) victim.output = victim.output.empty() ? "abcdefgh" : victim.output.substr(1);
    else if (victim.kind == K::kCas) victim.cas_ok = !victim.cas_ok;
  }
  return h;
}

}  // namespace

TEST_CASE("values of many lengths over several keys: the oracle's verdicts and each key's steps as if checked alone") {
  // The keys of one history are checked one after another by one search
  // that keeps its storage: nothing of one key may reach the next. And a
  // value's number comes from its first 8 bytes loaded in pieces, so values
  // of every length up to and past 8 are compared.
  int disagreements = 0, bad = 0, step_mismatches = 0;
  for (std::uint64_t seed = 1; seed <= 800; ++seed) {
    Rng rng(seed * 104729);
    KvHistory all;
    std::uint64_t steps_alone = 0;
    bool all_linearizable = true;
    for (const char* key : {"k0", "k1", "k2"}) {  // name order, the order they are checked in
      const KvHistory h = long_value_history(rng, key);
      const bool expected = brute_force(h);
      bad += !expected;
      const auto alone = check_linearizability(h);
      if ((alone.verdict == LinearizabilityResult::Verdict::kLinearizable) != expected) ++disagreements;
      if (all_linearizable) steps_alone += alone.steps;  // the check stops at the first failing key
      all_linearizable = all_linearizable && expected;
      all.insert(all.end(), h.begin(), h.end());
    }
    const auto together = check_linearizability(all);
    if ((together.verdict == LinearizabilityResult::Verdict::kLinearizable) != all_linearizable) ++disagreements;
    if (together.steps != steps_alone) ++step_mismatches;
  }
  CHECK(disagreements == 0);
  CHECK(step_mismatches == 0);
  CHECK(bad > 200);  // the corruptions produced real violations to find
}

TEST_CASE("a history its answered operations linearize in invocation order takes one step per answered operation") {
  // The search's first path linearizes every answered operation in
  // invocation order; when each is legal there the verdict and the steps
  // are known before the search is built (KeySearch::first_path_linearizes).
  // Histories here are made so: overlapping intervals, the answered
  // operations taking effect in invocation order, unanswered ones (left
  // out of the first path) never taking effect. The search without the
  // shortcut takes the same steps (seen with it disabled).
  int disagreements = 0, step_mismatches = 0;
  for (std::uint64_t seed = 1; seed <= 600; ++seed) {
    Rng rng(seed * 7877);
    KvHistory h;
    std::string state;
    Time t = 0;
    std::uint64_t answered = 0;
    const int n = 2 + static_cast<int>(rng.below(6));
    for (int i = 0; i < n; ++i) {
      t += 1 + static_cast<Time>(rng.below(10));
      const auto kind = rng.below(4);
      KvOperation o = op(static_cast<std::uint32_t>(i), kind == 0 ? K::kGet : kind == 1 ? K::kPut : kind == 2 ? K::kAppend : K::kCas,
                         t, rng.below(5) == 0 ? kNever : t + static_cast<Time>(rng.below(30)),
                         std::to_string(i) + (rng.below(2) ? "." : ""));
      o.expected = rng.below(2) ? state : std::to_string(rng.below(n));
      if (o.answered()) {
        take_effect(o, state);
        ++answered;
      }
      h.push_back(o);
    }
    const auto result = check_linearizability(h);
    if ((result.verdict == LinearizabilityResult::Verdict::kLinearizable) != brute_force(h)) ++disagreements;
    if (result.verdict != LinearizabilityResult::Verdict::kLinearizable || result.steps != answered) ++step_mismatches;
  }
  CHECK(disagreements == 0);
  CHECK(step_mismatches == 0);
}

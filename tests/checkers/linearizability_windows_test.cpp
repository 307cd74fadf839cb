// The linearizability checker's windows (check_in_windows in
// linearizability.cpp): a key's history is cut where no operation on it is
// in flight, the first path runs on across the cuts, and only a window where
// it is stuck is searched, from further back when that window has no
// witness. Each way back is held here by a history that needs it (and by
// how long the search it needed was), and the verdicts by a brute-force
// oracle on random histories of a few windows each.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "protocols/host/rng.hpp"
#include "sim/checkers/linearizability.hpp"
#include "tests/support/linearizability_oracle.hpp"

using namespace faultline;
using namespace faultline::testing;
using Verdict = LinearizabilityResult::Verdict;

namespace {

constexpr Time kNever = KvOperation::kNever;

KvOperation op(std::uint32_t client, K kind, Time invoked, Time completed, std::string value = "") {
  KvOperation o;
  o.client = client;
  o.kind = kind;
  o.key = "x";
  o.value = std::move(value);
  o.invoked = invoked;
  o.completed = completed;
  return o;
}
KvOperation get(std::uint32_t c, Time a, Time b, std::string out) {
  KvOperation o = op(c, K::kGet, a, b);
  o.output = std::move(out);
  return o;
}
KvOperation put(std::uint32_t c, Time a, Time b, std::string v) { return op(c, K::kPut, a, b, std::move(v)); }
KvOperation append(std::uint32_t c, Time a, Time b, std::string v) { return op(c, K::kAppend, a, b, std::move(v)); }

// Quiet windows, each a put then a get of it, ending at `t`: `windows` of
// them, so a search from the start is given 2 * windows operations more.
void add_quiet_windows(KvHistory& h, Time& t, int windows, const std::string& last) {
  for (int i = 0; i < windows; ++i) {
    const std::string v = i + 1 == windows ? last : "f" + std::to_string(i);
    h.push_back(put(0, t, t + 5, v));
    h.push_back(get(0, t + 10, t + 15, v));
    t += 20;
  }
}

// Ten windows of one answered append of "b" each, from time `t`.
void add_appends(KvHistory& h, Time& t) {
  for (int i = 0; i < 10; ++i) {
    h.push_back(append(1, t, t + 5, "b"));
    t += 10;
  }
}

}  // namespace

TEST_CASE("two concurrent writes no read told apart are searched again from the window before") {
  // Invocation order puts A then B, so the first path leaves "B"; the
  // read in the next window shows B took effect first. Searched from the
  // window before: the two writes and the read, not the 100 operations
  // before them.
  KvHistory h;
  Time t = 0;
  add_quiet_windows(h, t, 50, "f");
  h.push_back(put(1, t, t + 10, "A"));
  h.push_back(put(2, t + 1, t + 11, "B"));
  h.push_back(get(1, t + 20, t + 25, "A"));
  const auto r = check_linearizability(h);
  CHECK(r.verdict == Verdict::kLinearizable);
  CHECK(r.longest_search == 3);

  h.back().output = "C";  // nothing wrote C
  const auto bad = check_linearizability(h);
  CHECK(bad.verdict == Verdict::kNotLinearizable);
  CHECK(std::any_of(bad.witness.begin(), bad.witness.end(), [](const KvOperation& o) { return o.output == "C"; }));
}

TEST_CASE("an unanswered write a later read shows took effect is searched again from its window") {
  // The put of X timed out; the first path leaves it out. Ten windows of
  // appends later a read shows X under them: more than the eight windows
  // searched back, so the search goes back to the window that left the
  // put out: the put, the ten appends and the read, not the 100
  // operations before them.
  KvHistory h;
  Time t = 0;
  add_quiet_windows(h, t, 50, "f");
  h.push_back(put(9, t, kNever, "X"));
  t += 10;
  add_appends(h, t);
  h.push_back(get(1, t, t + 5, "Xbbbbbbbbbb"));
  const auto r = check_linearizability(h);
  CHECK(r.verdict == Verdict::kLinearizable);
  CHECK(r.longest_search == 12);
}

TEST_CASE("an operation invoked the instant another is answered is in its window") {
  // The put of B is invoked at 10, when the read of B is answered: they
  // are concurrent (neither came before the other), so the put may take
  // effect first. A window that ended at 10 would hold the read without
  // the put, and have no witness from any value.
  KvHistory h;
  Time t = 0;
  add_quiet_windows(h, t, 50, "f");
  h.push_back(put(0, t, t + 10, "A"));
  h.push_back(get(1, t + 5, t + 10, "B"));
  h.push_back(put(2, t + 10, t + 20, "B"));
  CHECK(check_linearizability(h).verdict == Verdict::kLinearizable);
  h.back().invoked = t + 11;  // now the read was answered before the put began
  CHECK(check_linearizability(h).verdict == Verdict::kNotLinearizable);
}

TEST_CASE("the windows after a search start from the value its witness leaves") {
  // The timed-out put of X is read at once: the read's window is searched
  // from the window before, and its witness has the put take effect. Ten
  // windows of appends later a read shows X under them, as the first path
  // from that witness's value has it: no other search.
  KvHistory h;
  Time t = 0;
  add_quiet_windows(h, t, 50, "f");
  h.push_back(put(9, t, kNever, "X"));
  h.push_back(get(1, t + 5, t + 10, "X"));
  t += 20;
  add_appends(h, t);
  h.push_back(get(1, t, t + 5, "Xbbbbbbbbbb"));
  const auto r = check_linearizability(h);
  CHECK(r.verdict == Verdict::kLinearizable);
  CHECK(r.longest_search == 2);
}

TEST_CASE("a choice further back than the windows searched again is found by searching from the start") {
  // As two concurrent writes above, but the read comes ten windows of
  // appends later and nothing was left out: only a search of the whole
  // prefix finds the order B, A. It also decides: with a read of a value
  // nobody wrote there, the history is not linearizable.
  KvHistory h;
  Time t = 0;
  add_quiet_windows(h, t, 50, "f");
  h.push_back(put(1, t, t + 10, "A"));
  h.push_back(put(2, t + 1, t + 11, "B"));
  t += 20;
  add_appends(h, t);
  h.push_back(get(1, t, t + 5, "Abbbbbbbbbb"));
  h.push_back(put(0, t + 10, t + 15, "after"));  // a window after it, checked on from the prefix's witness
  h.push_back(get(0, t + 20, t + 25, "after"));
  const auto r = check_linearizability(h);
  CHECK(r.verdict == Verdict::kLinearizable);
  CHECK(r.longest_search == h.size() - 2);

  h[h.size() - 3].output = "Cbbbbbbbbbb";
  const auto bad = check_linearizability(h);
  CHECK(bad.verdict == Verdict::kNotLinearizable);
  h[h.size() - 3].output = "Abbbbbbbbbb";
  h.back().output = "before";
  CHECK(check_linearizability(h).verdict == Verdict::kNotLinearizable);
}

TEST_CASE("a long history with quiet moments is searched a window at a time") {
  // 10,000 windows of two concurrent puts and a read of whichever took
  // effect last: about half of them against invocation order, so about
  // 5,000 searches, each of one window. One read made wrong after 9,000
  // windows is still caught.
  Rng rng(2026);
  KvHistory h;
  Time t = 0;
  for (int w = 0; w < 10'000; ++w) {
    const std::string a = "a" + std::to_string(w), b = "b" + std::to_string(w);
    h.push_back(put(1, t, t + 10, a));
    h.push_back(put(2, t + 1, t + 11, b));
    h.push_back(get(3, t + 20, t + 25, rng.below(2) ? a : b));
    t += 30;
  }
  const auto r = check_linearizability(h);
  CHECK(r.verdict == Verdict::kLinearizable);
  CHECK(r.longest_search == 3);  // the window before and the read's: two puts and the read
  CHECK(r.steps < 4 * h.size());  // one per answered operation, and about a dozen per window searched

  // The read of window 9,000: its witness is that read and the writes
  // before it (minimize_witness: a few dozen checks, not one per read).
  h[3 * 9'000 + 2].output = "nobody wrote this";
  const auto bad = check_linearizability(h);
  CHECK(bad.verdict == Verdict::kNotLinearizable);
  CHECK(bad.witness.size() == 2 * 9'001 + 1);
  CHECK(bad.witness.back().output == "nobody wrote this");
}

namespace {

// A real execution over three or four windows of one to three overlapping
// operations each: each takes effect inside its interval, except that an
// unanswered one takes effect in a later window, in its own, or never.
// Sometimes one answer is then corrupted.
KvHistory windowed_history(Rng& rng) {
  struct Planned {
    KvOperation op;
    Time effect;
    bool applied;
  };
  std::vector<Planned> planned;
  const int windows = 3 + static_cast<int>(rng.below(2));
  int made = 0;
  for (int w = 0; w < windows && made < 9; ++w) {
    const Time t = 100 * w;
    const int k = std::min(1 + static_cast<int>(rng.below(3)), 9 - made);
    for (int i = 0; i < k; ++i, ++made) {
      Planned p{};
      const auto kind = rng.below(4);
      p.op = op(static_cast<std::uint32_t>(i), kind == 0 ? K::kGet : kind == 1 ? K::kPut : kind == 2 ? K::kAppend : K::kCas,
                t + static_cast<Time>(rng.below(20)), 0, std::to_string(made) + (rng.below(2) ? "." : ""));
      p.effect = p.op.invoked + 1 + static_cast<Time>(rng.below(40));
      p.applied = true;
      p.op.completed = p.effect + static_cast<Time>(rng.below(30));
      if (rng.below(4) == 0) {  // never answered
        p.op.completed = kNever;
        p.applied = rng.below(3) != 0;
        if (rng.below(2)) p.effect += 100 * static_cast<Time>(1 + rng.below(2));
      }
      planned.push_back(std::move(p));
    }
  }
  std::vector<std::size_t> order(planned.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return planned[a].effect < planned[b].effect; });
  std::string state;
  for (std::size_t i : order) {
    KvOperation& o = planned[i].op;
    if (o.kind == K::kCas) o.expected = rng.below(2) ? state : std::to_string(rng.below(made));
    if (!planned[i].applied) continue;
    take_effect(o, state);
    if (!o.answered()) o.cas_ok = false;
  }
  KvHistory h;
  for (auto& p : planned) h.push_back(std::move(p.op));
  if (rng.below(3) == 0) {
    auto& victim = h[rng.below(h.size())];
    if (victim.kind == K::kGet && victim.answered()) victim.output = victim.output.empty() ? "0" : victim.output.substr(1);
    else if (victim.kind == K::kCas && victim.answered()) victim.cas_ok = !victim.cas_ok;
  }
  return h;
}

}  // namespace

TEST_CASE("histories of a few windows: the oracle's verdicts, with windows searched apart") {
  int disagreements = 0, bad = 0, searched_in_part = 0;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
    Rng rng(seed * 65537);
    const KvHistory h = windowed_history(rng);
    const bool expected = brute_force(h);
    bad += !expected;
    const auto r = check_linearizability(h);
    if ((r.verdict == Verdict::kLinearizable) != expected) {
      ++disagreements;
      MESSAGE("seed ", seed, ": oracle says ", expected);
    }
    searched_in_part += r.longest_search > 0 && r.longest_search < h.size();
  }
  CHECK(disagreements == 0);
  // The generator makes both verdicts, and histories whose searches were
  // given only part of them (the windows at work).
  CHECK(bad > 300);
  CHECK(searched_in_part > 300);
}

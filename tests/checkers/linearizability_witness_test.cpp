// The witness of a failing history (minimize_witness, linearizability.hpp):
// the shortest failing prefix, then without the reads the failure does not
// need. Held against the way it was first made, one read at a time from
// the last (each check over the whole prefix), on random failing
// histories: the same witness, operation for operation. And held to its
// cost: a few dozen checks for a failure thousands of reads in, where one
// read at a time made thousands.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/checkers/linearizability.hpp"
#include "tests/support/linearizability_oracle.hpp"

using namespace faultline;
using namespace faultline::testing;
using Verdict = LinearizabilityResult::Verdict;

namespace {

constexpr Time kNever = KvOperation::kNever;

bool fails(const KvHistory& h) { return check_linearizability(h).verdict == Verdict::kNotLinearizable; }

// A read or a failed compare-and-set: what a witness may drop.
bool observes_only(const KvOperation& o) { return o.kind == K::kGet || (o.kind == K::kCas && o.answered() && !o.cas_ok); }

// The witness made one read at a time: the shortest failing prefix (at the
// earliest answer after which it fails; answers after the cut unknown),
// then each read or failed compare-and-set, from the last to the first,
// removed if the history still fails without it.
KvHistory witness_one_read_at_a_time(const KvHistory& ops, std::size_t& checks) {
  auto prefix_at = [&](Time cut) {
    KvHistory out;
    for (const auto& op : ops) {
      if (op.invoked > cut) continue;
      KvOperation o = op;
      if (o.completed > cut) {
        o.completed = kNever;
        o.output.clear();
      }
      out.push_back(o);
    }
    return out;
  };
  std::vector<Time> cuts;
  for (const auto& op : ops)
    if (op.answered()) cuts.push_back(op.completed);
  std::sort(cuts.begin(), cuts.end());
  KvHistory best = ops;
  std::size_t lo = 0, hi = cuts.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    KvHistory p = prefix_at(cuts[mid]);
    ++checks;
    if (fails(p)) {
      best = p;
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  for (std::size_t i = best.size(); i-- > 0;) {
    if (!observes_only(best[i])) continue;
    KvHistory without = best;
    without.erase(without.begin() + static_cast<long>(i));
    ++checks;
    if (fails(without)) best = without;
  }
  return best;
}

bool same(const KvOperation& a, const KvOperation& b) {
  return a.client == b.client && a.kind == b.kind && a.key == b.key && a.value == b.value &&
         a.expected == b.expected && a.output == b.output && a.cas_ok == b.cas_ok && a.invoked == b.invoked &&
         a.completed == b.completed;
}

// A real execution on one register: operations of four clients taking
// effect in turn, each inside its interval (some unanswered), then a few
// answers corrupted.
KvHistory corrupted_history(Rng& rng) {
  KvHistory h;
  std::string state;
  std::vector<std::string> states;  // the register after each operation
  Time t = 0;
  const int n = 12 + static_cast<int>(rng.below(40));
  for (int i = 0; i < n; ++i) {
    t += 1 + static_cast<Time>(rng.below(8));
    KvOperation o;
    o.client = static_cast<std::uint32_t>(rng.below(4));
    o.key = "k";
    const auto kind = rng.below(6);
    o.kind = kind <= 2 ? K::kGet : kind == 3 ? K::kPut : kind == 4 ? K::kAppend : K::kCas;
    o.value = std::string(1, static_cast<char>('a' + rng.below(4)));
    o.expected = rng.below(2) ? state : std::string(1, static_cast<char>('a' + rng.below(4)));
    o.invoked = t - static_cast<Time>(rng.below(12));
    o.completed = rng.below(10) == 0 ? kNever : t + static_cast<Time>(rng.below(12));
    take_effect(o, state);
    h.push_back(o);
    states.push_back(state);
  }
  // A read made to see a value never written, or an older one: a stale
  // read, often shown stale only by other reads (which the witness keeps).
  const int corruptions = 1 + static_cast<int>(rng.below(3));
  for (int c = 0; c < corruptions; ++c) {
    const std::size_t at = rng.below(h.size());
    auto& victim = h[at];
    if (victim.kind == K::kGet && victim.answered()) {
      victim.output = rng.below(3) == 0 ? victim.output + "z" : states[rng.below(at + 1)];
    } else if (victim.kind == K::kCas && victim.answered()) {
      victim.cas_ok = !victim.cas_ok;
    }
  }
  return h;
}

}  // namespace

TEST_CASE("a witness drops the same reads as removing each alone from the last one") {
  int failing = 0, differ = 0, several_kept = 0;
  std::size_t checks_then = 0, checks_now = 0;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
    Rng rng(seed);
    const KvHistory h = corrupted_history(rng);
    if (!fails(h)) continue;
    ++failing;
    const KvHistory expected = witness_one_read_at_a_time(h, checks_then);
    std::size_t checks = 0;
    const KvHistory got = minimize_witness(h, 1'000'000, &checks);
    checks_now += checks;
    const bool equal = got.size() == expected.size() && std::equal(got.begin(), got.end(), expected.begin(), same);
    if (!equal) {
      ++differ;
      if (differ <= 3) {
        MESSAGE("seed " << seed << ": expected");
        for (const auto& o : expected) MESSAGE("  " << describe(o));
        MESSAGE("got");
        for (const auto& o : got) MESSAGE("  " << describe(o));
      }
    }
    std::size_t reads = 0;
    for (const auto& o : got) reads += observes_only(o);
    several_kept += reads >= 2;
    CHECK(fails(got));
  }
  CHECK(differ == 0);
  CHECK(failing > 1000);      // the corruptions made real violations
  MESSAGE(several_kept << " witnesses keep two reads or more");
  CHECK(several_kept > 50);  // and many witnesses need more than one read
  MESSAGE(failing << " failing histories; checks: " << checks_now << ", one read at a time " << checks_then);
  CHECK(checks_now < checks_then);
}

TEST_CASE("a failure thousands of reads in is minimized in a few dozen checks") {
  // 5,000 writes, each read back at once, then a read of the 18th write:
  // stale by 4,982 writes. Its witness is that read and the writes it
  // needs; the 5,000 other reads each had to be tried alone before.
  KvHistory h;
  for (int i = 0; i < 5'000; ++i) {
    const Time t = static_cast<Time>(i) * 100;
    KvOperation w;
    w.client = 1;
    w.kind = K::kPut;
    w.key = "x";
    w.value = std::to_string(i);
    w.invoked = t;
    w.completed = t + 10;
    h.push_back(w);
    KvOperation r = w;
    r.client = 2;
    r.kind = K::kGet;
    r.value.clear();
    r.output = std::to_string(i);
    r.invoked = t + 20;
    r.completed = t + 30;
    h.push_back(r);
  }
  KvOperation stale = h[1];
  stale.client = 3;
  stale.output = "17";
  stale.invoked = 5'000 * 100;
  stale.completed = stale.invoked + 5;
  h.push_back(stale);

  const auto r = check_linearizability(h);
  REQUIRE(r.verdict == Verdict::kNotLinearizable);
  std::size_t checks = 0;
  const KvHistory witness = minimize_witness(h, 1'000'000, &checks);
  CHECK(witness.size() == 5'001);  // the writes and the stale read, no other read
  CHECK(std::count_if(witness.begin(), witness.end(), [](const KvOperation& o) { return o.kind == K::kGet; }) == 1);
  CHECK(witness.back().output == "17");
  CHECK(r.witness.size() == witness.size());
  // About 14 to find the prefix (10,001 answers), 1 + 13 to find the
  // stale read among 5,001 reads, 1 to find no other read needed.
  CHECK(checks <= 30);
  MESSAGE("checks: " << checks);
}

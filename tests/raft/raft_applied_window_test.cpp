// The Raft observer keeps what was applied at each index only while some
// server could still apply it (AppliedWindow): freeing the older slots must
// not change a single verdict. With snapshots every 20 entries the window
// moves all through a run; each mutant is caught at the same seed, time,
// server and with the same message as by an observer that keeps every slot.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/raft/binding/applied_window.hpp"
#include "protocols/raft/binding/raft_protocol.hpp"
#include "tests/support/raft_observer_variants.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

class KeepingObserver;
class WindowedObserver;

// faultline's Raft, observed by an observer that keeps every applied slot.
struct KeepingRaft : RaftProtocol {
  using Observer = KeepingObserver;
};
class KeepingObserver : public RaftObserverFor<KeepingRaft> {
 public:
  KeepingObserver(const Scenario& s, const RaftProtocol::Params& p, Simulation<KeepingRaft>& sim)
      : RaftObserverFor<KeepingRaft>(s, p, sim) {
    drops_applied_slots_ = false;
  }
};

// faultline's Raft with the usual observer, which says at the end how far
// it freed its slots.
raft::ViewIndex last_dropped_through = 0;
struct WindowedRaft : RaftProtocol {
  using Observer = WindowedObserver;
};
class WindowedObserver : public RaftObserverFor<WindowedRaft> {
 public:
  using RaftObserverFor<WindowedRaft>::RaftObserverFor;
  ~WindowedObserver() { last_dropped_through = applied_slots_dropped_through(); }
};

}  // namespace

TEST_CASE("AppliedWindow makes slots in order and frees a prefix only in large steps") {
  struct Slot {
    int value = 0;
  };
  AppliedWindow<Slot> w;
  CHECK(w.last() == 0);
  CHECK(w.find(1) == nullptr);
  for (std::uint64_t i = 1; i <= 10000; ++i) w.make(i)->value = static_cast<int>(i);
  w.make(10005)->value = 10005;  // a gap is filled with default slots
  CHECK(w.last() == 10005);
  CHECK(w.find(10003)->value == 0);
  w.drop_through(100);  // less than half: not worth moving the rest yet
  CHECK(w.base() == 0);
  CHECK(w.find(1)->value == 1);
  w.drop_through(6000);
  CHECK(w.base() == 6000);
  CHECK(w.find(6000) == nullptr);
  CHECK(w.make(6000) == nullptr);  // freed for good
  CHECK(w.find(6001)->value == 6001);
  CHECK(w.find(10000)->value == 10000);
  CHECK(w.make(10006) != nullptr);
  CHECK(w.last() == 10006);
  w.drop_through(20000);  // beyond the last slot: everything goes
  CHECK(w.base() == 10006);
  CHECK(w.find(10006) == nullptr);
  CHECK(w.make(10007) != nullptr);
}

TEST_CASE("freeing applied slots changes no verdict of the Raft observer") {
  struct Case {
    const char* mutant;
    const char* scenario;
    std::uint64_t seeds;
  };
  const Case cases[] = {
      {"", "nemesis.yaml", 2},
      {"", "churn.yaml", 2},
      {"no_election_restriction", "nemesis.yaml", 10},
      {"skip_consistency_check", "churn.yaml", 10},
      {"commit_without_quorum", "nemesis.yaml", 10},
      {"truncate_without_conflict", "loss_5pct.yaml", 10},
      {"ack_before_sync", "churn.yaml", 40},
      {"figure8", "leader_churn_quiet.yaml", 100},
  };
  int caught = 0, caught_after_freeing = 0;
  for (const auto& c : cases) {
    const std::string mutant = c.mutant, scenario = c.scenario;
    CAPTURE(mutant);
    CAPTURE(scenario);
    std::vector<std::string> sets = {"params.snapshot_threshold=20"};
    if (!mutant.empty()) sets.push_back("params.mutant=" + mutant);
    const Scenario s = raft_scenario(c.scenario, sets);
    for (std::uint64_t seed = 1; seed <= c.seeds; ++seed) {
      CAPTURE(seed);
      const RunResult windowed = run_raft_seed<WindowedRaft>(s, seed);
      check_same_verdicts(windowed, run_raft_seed<KeepingRaft>(s, seed));
      if (mutant.empty()) CHECK(windowed.violations.empty());
      // A run that lasts moves the window: slots are freed long before its end.
      if (windowed.violations.empty()) CHECK(last_dropped_through >= 40);
      if (!windowed.violations.empty()) {
        ++caught;
        if (last_dropped_through > 0) ++caught_after_freeing;
        MESSAGE(mutant << " caught at seed " << seed << " by " << windowed.violations[0].invariant
                       << ", slots freed through index " << last_dropped_through);
        break;
      }
    }
  }
  CHECK(caught >= 5);  // most mutants are still caught with snapshots this frequent
  CHECK(caught_after_freeing >= 2);  // some of them once slots were freed
}

// Paxos under the simulator: dueling proposers with and without backoff, a
// correct Basic Paxos and Multi-Paxos that keep every invariant under faults,
// and each known bug (mutant) caught by a bounded sweep.
#include <doctest/doctest.h>

#include "protocols/paxos/binding/paxos_protocol.hpp"
#include "tests/support/simulations.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

Scenario scenario(const std::string& path, std::vector<std::string> sets = {}) { return shipped_scenario(path, sets); }

SweepResult sweep(const Scenario& s, std::uint64_t last_seed) { return sweep_seeds(s, last_seed); }

}  // namespace

TEST_CASE("dueling proposers: a random backoff ends the duel, none livelocks") {
  const SweepResult with = sweep(scenario("paxos/dueling_proposers.yaml"), 20);
  CHECK(with.failed_seeds.empty());
  CHECK(with.metrics.at("learned_nodes").min == 5);
  CHECK(with.metrics.at("rejections").max >= 1);  // they did duel
  const SweepResult without = sweep(scenario("paxos/livelock_without_backoff.yaml"), 3);
  CHECK(without.metrics.at("learned_nodes").max == 0);
  CHECK(without.metrics.at("rounds").min > 1000);
  std::string invariant;
  CHECK(first_violation(without, invariant) == 0);  // livelock is a liveness failure, not a safety one
}

TEST_CASE("correct Basic Paxos and Multi-Paxos keep every invariant under crashes, loss and partitions") {
  for (const char* file : {"paxos/crashes_and_loss.yaml", "multipaxos/churn.yaml", "compare/partition.yaml"}) {
    CAPTURE(file);
    Scenario s = scenario(file, std::string(file).starts_with("compare") ? std::vector<std::string>{"protocol=multipaxos"}
                                                                          : std::vector<std::string>{});
    const SweepResult r = sweep(s, correctness_seeds(30));
    std::string invariant;
    CHECK(first_violation(r, invariant) == 0);
    CHECK(r.failed_seeds.empty());
  }
}

TEST_CASE("Paxos mutants are caught by bounded sweeps") {
  struct Case {
    const char* mutant;
    const char* scenario;
    std::uint64_t seeds;
  };
  const Case cases[] = {
      {"accept_below_promise", "paxos/crashes_and_loss.yaml", 100},
      {"ignore_accepted_values", "paxos/crashes_and_loss.yaml", 20},
      {"acceptor_not_persisted", "paxos/crashes_and_loss.yaml", 40},
      {"accept_below_promise", "multipaxos/churn.yaml", 10},
      {"acceptor_not_persisted", "multipaxos/churn.yaml", 5},
      {"noop_fill_without_collect", "multipaxos/churn.yaml", 5},
      {"forget_on_promise", "multipaxos/churn.yaml", 5},
  };
  for (const auto& c : cases) {
    CAPTURE(c.mutant);
    CAPTURE(c.scenario);
    const SweepResult r = sweep(scenario(c.scenario, {std::string("params.mutant=") + c.mutant}), c.seeds);
    std::string invariant;
    const std::uint64_t seed = first_violation(r, invariant);
    CHECK_MESSAGE(seed != 0, std::string(c.mutant) << " was not caught in seeds 1.." << c.seeds);
    MESSAGE(std::string(c.mutant) << " on " << std::string(c.scenario) << ": first caught at seed " << seed << " by " << invariant);
  }
}

TEST_CASE("chosen_value_kept catches an acceptor that forgets a chosen value when it forgets it") {
  // forget_on_promise drops, at a promise, values a majority chose; agreement
  // fails only if a later leader's phase 1 then misses the value, seconds
  // later or never. chosen_value_kept fails the run at the promise itself,
  // and so does acceptor_not_persisted at the restart that loses a value.
  for (const char* mutant : {"forget_on_promise", "acceptor_not_persisted"}) {
    CAPTURE(mutant);
    const SweepResult r = sweep(scenario("multipaxos/churn.yaml", {std::string("params.mutant=") + mutant}), 10);
    for (const auto& run : r.runs) {
      CAPTURE(run.seed);
      REQUIRE(!run.violations.empty());
      CHECK(run.violations[0].invariant == "chosen_value_kept");
    }
  }
}

TEST_CASE("a Multi-Paxos replica that was down catches up with the chosen log") {
  // n4 is down from 2 s to 6 s while the others commit; by the end it must
  // have learned (through Chosen entries) every slot the leader knows chosen.
  Scenario s = scenario("compare/steady.yaml",
                        {"protocol=multipaxos", "faults=[{at: 2s, crash: n4}, {at: 6s, restart: n4}]", "duration=8s"});
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    RunOptions o;
    o.seed = seed;
    Simulation<MultiPaxosProtocol> sim(s, paxos::MultiParams{}, o);
    const RunResult r = sim.run();
    CHECK(r.violations.empty());
    paxos::Slot highest = 0;
    for (NodeId i = 0; i < 4; ++i) highest = std::max(highest, sim.node(i).commit_upto());
    CHECK(highest > 1000);                                 // the others went on committing
    CHECK(sim.node(4).commit_upto() + 50 >= highest);      // and n4 is no more than a few slots behind
  }
}

// A Simulation owns what it was built from: the scenario and the parameters
// may die before it runs (nodes, observers, the nemesis and the trace keep
// pointers into the Simulation's own copies). Under ASan, a Simulation that
// kept the caller's objects fails here with a use after free or scope.
#include <doctest/doctest.h>

#include <memory>

#include "protocols/raft/binding/raft_protocol.hpp"
#include "tests/support/simulations.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

// The scenario and the params are locals and temporaries, gone on return.
std::unique_ptr<Simulation<RaftProtocol>> simulation_outliving_its_inputs(const RunOptions& options) {
  Scenario s = raft_scenario("leader_crash.yaml");
  return std::make_unique<Simulation<RaftProtocol>>(s, raft::Params{}, options);
}

}  // namespace

TEST_CASE("a Simulation runs the same after the scenario and params it was built from are gone") {
  RunOptions options;
  options.seed = 4;
  const auto orphan = simulation_outliving_its_inputs(options);
  const RunResult alone = orphan->run();

  const Scenario s = raft_scenario("leader_crash.yaml");
  const raft::Params params{};
  Simulation<RaftProtocol> kept(s, params, options);
  const RunResult reference = kept.run();

  CHECK(alone.events > 1000);
  CHECK(alone.trace_hash == reference.trace_hash);
  CHECK(alone.events == reference.events);
  CHECK(alone.violations.empty());
  CHECK(orphan->scenario().name == s.name);
  CHECK(orphan->params().initial_members == 0);
}

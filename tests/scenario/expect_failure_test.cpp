// `expect_failure`: a scenario that demonstrates a failure holds only when it
// fails exactly as it declares (docs/scenario-format.md).
#include <doctest/doctest.h>

#include <string>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"

using namespace faultline;

namespace {

// Heartbeat whose n1 crashes and restarts: with params.skip_sync its
// incarnation is not kept, and incarnation_monotonic breaks.
RunResult run(const std::string& params, const std::string& declaration) {
  const std::string text = "protocol: heartbeat\nnodes: 3\nduration: 3s\nparams: " + params +
                           "\nfaults:\n  - {at: 1s, crash: n1}\n  - {at: 2s, restart: n1}\n"
                           "expect:\n  - {name: nothing wrongly suspected, metric: false_suspicions, max: 0}\n"
                           "  - {metric: crashes, min: 1}\n" +
                           declaration;
  RunOptions o;
  o.seed = 1;
  return find_protocol("heartbeat")->run(load_scenario_text(text, "f.yaml"), o);
}

}  // namespace

TEST_CASE("a declared invariant failure holds when that invariant breaks, and only then") {
  const std::string declared = "expect_failure: {reason: the incarnation is not synced, invariants: [incarnation_monotonic]}\n";
  const RunResult broken = run("{skip_sync: true}", declared);
  REQUIRE(broken.violations.size() == 1);
  REQUIRE(broken.expected_failure.has_value());
  CHECK(broken.expected_failure->as_declared);
  CHECK(broken.ok());
  // The correct detector does not fail: that is not as declared.
  const RunResult correct = run("{skip_sync: false}", declared);
  CHECK(correct.violations.empty());
  CHECK(!correct.ok());
  CHECK(correct.expected_failure->detail.find("no invariant broke, but incarnation_monotonic must") != std::string::npos);
  // Another invariant than the declared one is not as declared either.
  const RunResult other = run("{skip_sync: true}", "expect_failure: {reason: r, invariants: [election_safety]}\n");
  CHECK(!other.ok());
  CHECK(other.expected_failure->detail.find("incarnation_monotonic broke, not a declared invariant") != std::string::npos);
  // Without a declaration the broken run fails as always.
  CHECK(!run("{skip_sync: true}", "").ok());
  CHECK(run("{skip_sync: false}", "").ok());
}

TEST_CASE("a declared expectation failure: the named one must fail and every other must hold") {
  const std::string declared = "expect_failure: {reason: r, expectations: [crashes >= 1]}\n";
  // crashes >= 1 holds here (n1 crashes), so the declaration is not met.
  const RunResult r = run("{skip_sync: false}", declared);
  CHECK(!r.ok());
  CHECK(r.expected_failure->detail.find("'crashes >= 1' held, but must fail") != std::string::npos);
  for (const auto& e : r.expectations) CHECK(e.expected_to_fail == (e.name == "crashes >= 1"));
  // The shipped demonstrations (paxos/livelock_without_backoff.yaml,
  // raft/disruptive_rejoin.yaml) fail as declared on every seed:
  // tests/scenario/shipped_scenarios_test.cpp.
}

// The Consul checkers judge from typed state, not from trace events, so that
// renaming or dropping an event cannot disarm one:
// - run with its protocol-event hook silenced (as if every event had been
//   renamed), the Consul observer catches every mutant with the same
//   violations at the same time, and gives correct runs the same verdicts
//   and every metric but the five the Raft observer's metrics-only path
//   counts;
// - the figures it reads from the nodes instead (reads served, issued and
//   answered, forwards, redirects) agree with what the trace says happened.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/support/consul_scenarios.hpp"
#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/same_verdicts.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

// The metrics the Raft observer's metrics-only path counts from the
// servers' events (raft_observer.hpp): 0 when deaf.
const std::set<std::string> kFromEvents = {"entries_truncated", "snapshots_taken", "snapshots_installed",
                                           "config_changes", "transfer_ns"};

}  // namespace

TEST_CASE("Consul mutants are caught the same with the observer deaf to protocol events") {
  struct Case {
    const char* mutant;
    Scenario scenario;
    std::uint64_t seeds;
  };
  const auto with = [](const char* mutant, std::vector<std::string> sets) {
    sets.push_back(std::string("params.mutant=") + mutant);
    return shipped_scenario("consul/agent_crash.yaml", sets);
  };
  // Each mutant on a scenario that catches it (tests/consul/consul_scenarios_test.cpp).
  const Case cases[] = {
      {"deregister_failed", with("deregister_failed", {}), 3},
      {"register_twice", with("register_twice", {}), 3},
      {"register_as_forwarder", with("register_as_forwarder", {}), 3},
      {"keep_services_on_leave", with("keep_services_on_leave", kTwoServicesAndALeave), 3},
      {"consistent_reads_local",
       shipped_scenario("consul/reads_served.yaml", {"params.mutant=consistent_reads_local"}), 3},
      {"no_reconcile_on_leadership", leaders_lost_while_detected("no_reconcile_on_leadership"), 6},
  };
  for (const auto& c : cases) {
    const std::string mutant = c.mutant;
    CAPTURE(mutant);
    std::uint64_t seed = 1;
    RunResult heard;
    for (; seed <= c.seeds; ++seed) {
      heard = run_seed("consul", c.scenario, seed);
      if (!heard.violations.empty()) break;
    }
    REQUIRE_MESSAGE(!heard.violations.empty(), mutant << " not caught in seeds 1.." << c.seeds);
    CAPTURE(seed);
    check_same_verdicts(heard, run_seed("consul", c.scenario, seed, false));
  }
}

TEST_CASE("without protocol events a correct Consul run gets the same verdicts and every typed metric") {
  std::vector<Scenario> scenarios;
  for (const char* file :
       {"agent_crash.yaml", "agents_partitioned_from_servers.yaml", "check_failing_while_alive.yaml",
        "false_criticals_no_refutation.yaml", "false_criticals_under_loss.yaml", "flapping_agent.yaml",
        "leader_crash_during_reconcile.yaml", "nemesis.yaml", "reads_served.yaml", "reads_under_partition.yaml",
        "servers_partitioned.yaml"})
    scenarios.push_back(shipped_scenario(std::string("consul/") + file));
  scenarios.push_back(shipped_scenario("consul/agent_crash.yaml", kTwoServicesAndALeave));
  scenarios.push_back(leaders_lost_while_detected("none"));
  for (const Scenario& s : scenarios) {
    const std::string file = s.path;
    CAPTURE(file);
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      CAPTURE(seed);
      const RunResult heard = run_seed("consul", s, seed);
      const RunResult deaf = run_seed("consul", s, seed, false);
      CHECK(heard.violations.empty());
      check_same_verdicts(heard, deaf);
      for (const auto& [name, metric] : heard.metrics) {
        CAPTURE(name);
        REQUIRE(deaf.metrics.count(name) == 1);
        if (kFromEvents.count(name)) continue;
        CHECK(deaf.metrics.at(name).samples == metric.samples);
      }
    }
  }
}

TEST_CASE("what the Consul observer reads from the nodes agrees with the trace") {
  // reads_served.yaml: reads in the three modes, forwarded, redirected
  // (before the first leader, and on the cut-off side) and answered.
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    CAPTURE(seed);
    const TracedRun run = run_registered_traced(shipped_scenario("consul/reads_served.yaml"), seed);
    CHECK(run.result.violations.empty());
    const auto count = [&](const char* kind) { return static_cast<double>(select(run.lines, kind).size()); };
    CHECK(count("read_answered") > 0);
    CHECK(metric(run.result, "reads_answered") == count("read_answered"));
    CHECK(count("read_redirected") > 0);
    CHECK(metric(run.result, "reads_redirected") == count("read_redirected"));
    CHECK(count("forward") > 0);
    CHECK(metric(run.result, "rpcs_forwarded") == count("forward"));
    // Every read served, in its mode's series.
    for (const auto& [mode, series] : {std::pair{"0", "consistent_read_missed_entries"},
                                       std::pair{"1", "default_read_missed_entries"},
                                       std::pair{"2", "stale_read_missed_entries"}}) {
      CAPTURE(mode);
      const auto served = select(run.lines, "read_served", {{"mode", mode}}).size();
      CHECK(served > 0);
      CHECK(run.result.metrics.at(series).samples.size() == served);
    }
  }
  // agent_crash.yaml: the crash of n10 learned by the leader's SWIM (its
  // first `dead` line about n10 from a server that leads then), committed
  // critical.
  const TracedRun run = run_registered_traced(shipped_scenario("consul/agent_crash.yaml"), 1);
  REQUIRE(run.result.metrics.at("detect_ns").samples.size() == 1);
  Time crashed = -1;
  for (const auto& line : select(run.lines, "fault", {{"fault", "crash"}})) crashed = line_time(line);
  REQUIRE(crashed > 0);
  const double detect = metric(run.result, "detect_ns");
  bool found = false;
  for (const auto& line : select(run.lines, "dead", {{"member", "10"}}))
    found = found || static_cast<double>(line_time(line) - crashed) == detect;
  CHECK(found);
}

TEST_CASE("an entry a server compacts in the input that applied it is still replayed into the catalog") {
  // One server (it commits and applies each write in the input that
  // submitted it) snapshotting every 3 entries: each snapshot compacts what
  // its input applied, which the observer reads from what the server kept
  // (RaftNode::keep_compacted()). The catalog's figures are those of the
  // same run without snapshots.
  const auto one_server = [](const char* threshold) {
    return shipped_scenario("consul/agent_crash.yaml",
                            {"params.servers.count=1", "params.agents.count=22",
                             std::string("params.servers.raft.snapshot_threshold=") + threshold});
  };
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    CAPTURE(seed);
    const RunResult snapshots = run_seed("consul", one_server("3"), seed);
    const RunResult none = run_seed("consul", one_server("10000"), seed);
    CHECK(snapshots.violations.empty());
    CHECK(scalar(snapshots, "snapshots_taken") >= 20);
    CHECK(scalar(none, "snapshots_taken") == 0);
    for (const char* name : {"catalog_writes", "replays_suppressed", "detect_ns", "commit_ns", "crash_to_critical_ns",
                             "false_criticals", "services_registered", "healthy_but_down", "rpcs_forwarded"}) {
      CAPTURE(name);
      CHECK(snapshots.metrics.at(name).samples == none.metrics.at(name).samples);
    }
    check_same_verdicts(snapshots, run_seed("consul", one_server("3"), seed, false));
  }
}

// Dropping stale timers (Simulation::kDropsStaleTimers) is invisible: a run
// that drops them is the run that pops every one of them, event for event.
// A run with stop.max_events set never drops (run() keeps the end reason
// exact that way), so it is the reference: the same scenario run both ways
// must give the same trace hash, events, end time and metrics, for shipped
// scenarios of the protocols that drop (P::kDropStaleTimers: raft,
// libraft) with crashes and restarts (which make every pending timer of
// the node stale), pauses (timers held in the backlog), partitions, clock
// drift and a client load. The same reference holds the deferred timers
// (Simulation::kDefersTimers), on with the dropping: see the second test.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/simulations.hpp"

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "/work/main"
#endif

using namespace faultline;

namespace {

RunResult run_scenario(Scenario s, bool popping_every_timer) {
  if (popping_every_timer) s.stop.max_events = UINT64_MAX >> 1;  // never reached
  RunOptions o;
  o.seed = 1;
  return find_protocol(s.protocol)->run(s, o);
}

}  // namespace

TEST_CASE("a run that drops stale timers is the run that pops them") {
  for (const char* path : {"scenarios/raft/nemesis.yaml", "scenarios/raft/clock_drift.yaml", "scenarios/raft/churn.yaml",
                           "scenarios/raft/follower_crash.yaml", "scenarios/raft/leader_crash.yaml",
                           "scenarios/raft/slow_disk.yaml", "scenarios/compare/steady.yaml",
                           "scenarios/libraft/churn.yaml", "scenarios/libraft/figure8.yaml"}) {
    const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/" + path;
    CAPTURE(file);
    Scenario s = load_scenario_file(file);
    s.duration = std::min<Time>(s.duration, 12 * kSecond);  // the test's time, not the scenario's
    const RunResult dropping = run_scenario(s, false), popping = run_scenario(s, true);
    CHECK(dropping.trace_hash == popping.trace_hash);
    CHECK(dropping.events == popping.events);
    CHECK(dropping.virtual_time_ns == popping.virtual_time_ns);
    CHECK(dropping.stop_reason == popping.stop_reason);
    CHECK(dropping.messages_sent == popping.messages_sent);
    CHECK(dropping.violations.size() == popping.violations.size());
    REQUIRE(dropping.metrics.size() == popping.metrics.size());
    for (const auto& [name, m] : dropping.metrics) {
      CAPTURE(name);
      CHECK(m.samples == popping.metrics.at(name).samples);
    }
  }
}

// A timer set again to fire later keeps its event in the queue, which is
// pushed again at the new time when it pops (Simulation::kDefersTimers):
// the run is the one that pushes at every set (stop.max_events set: no
// deferring), event for event, with far fewer pushes. A follower's election
// timer, set again on every AppendEntries, is the case that pays.
TEST_CASE("a timer set again to a later time is pushed again at its pop and not at every set") {
  for (const char* path : {"scenarios/raft/leader_crash.yaml", "scenarios/raft/nemesis.yaml",
                           "scenarios/compare/steady.yaml"}) {
    const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/" + path;
    CAPTURE(file);
    Scenario s = load_scenario_file(file);
    s.protocol = "raft";
    s.duration = std::min<Time>(s.duration, 12 * kSecond);
    RunOptions o;
    o.seed = 3;
    Simulation<RaftProtocol> deferring(s, raft_params_of(s), o);
    const RunResult d = deferring.run();
    Scenario every = s;
    every.stop.max_events = UINT64_MAX >> 1;  // never reached
    Simulation<RaftProtocol> pushing(every, raft_params_of(every), o);
    const RunResult p = pushing.run();
    CHECK(d.trace_hash == p.trace_hash);
    CHECK(d.events == p.events);
    CHECK(d.virtual_time_ns == p.virtual_time_ns);
    // Every timer set pushes in the reference run; far from every one here.
    MESSAGE("pushes: ", deferring.events_pushed(), " against ", pushing.events_pushed());
    CHECK(deferring.events_pushed() * 5 < pushing.events_pushed() * 4);  // more than a fifth of all pushes saved
  }
}

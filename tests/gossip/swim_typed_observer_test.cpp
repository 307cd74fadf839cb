// SWIM's checkers and metrics judge from typed state, not from trace events,
// so that renaming or dropping a `dead`, `suspect` or `refute` event, or its
// `member` field, cannot disarm one:
// - run with its observer's protocol-event hook silenced (as if every event
//   had been renamed), the SWIM observer reports the same violations at the
//   same time for its two safety mutants, and the same metrics on every
//   shipped SWIM scenario;
// - what it reads instead, a node's changes(), lists what each input changed,
//   in order (a restart among them), and nothing the input before it changed.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/gossip/swim_node.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/recording_host.hpp"
#include "tests/support/same_verdicts.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;
using swim::MemberState;
using swim::ViewChange;
using Cause = swim::ViewChange::Cause;

namespace {

void check_same_metrics(const RunResult& heard, const RunResult& deaf) {
  REQUIRE(deaf.metrics.size() == heard.metrics.size());
  for (const auto& [name, metric] : heard.metrics) {
    CAPTURE(name);
    REQUIRE(deaf.metrics.count(name) == 1);
    CHECK(deaf.metrics.at(name).samples == metric.samples);
  }
}

const std::vector<double>& samples(const RunResult& r, const std::string& name) { return r.metrics.at(name).samples; }

}  // namespace

TEST_CASE("SWIM's safety mutants are caught the same with the observer deaf to protocol events") {
  // A refutation's incarnation not synced: a restart reuses it.
  const Scenario not_synced = shipped_scenario("swim/nemesis.yaml", {"params.mutant=refute_not_synced", "expect=[]"});
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const RunResult heard = run_seed("swim", not_synced, seed, true);
    REQUIRE(!heard.violations.empty());
    CHECK(heard.violations[0].invariant == "incarnation_monotonic");
    check_same_verdicts(heard, run_seed("swim", not_synced, seed, false));
  }
  // No refutation, on a reliable but slow network (tests/gossip/swim_test.cpp):
  // live members suspected now and then are declared dead.
  const Scenario no_refute = load_scenario_text(
      "protocol: swim\nparams: {indirect_probes: 0, suspicion_periods: 20, mutant: no_refute}\nnodes: 20\n"
      "duration: 60s\nnetwork:\n  latency: {dist: uniform, min: 300ms, max: 480ms}\n",
      "no_refute.yaml");
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const RunResult heard = run_seed("swim", no_refute, seed, true);
    if (!heard.violations.empty() && heard.violations[0].invariant == "no_false_dead") ++caught;
    check_same_verdicts(heard, run_seed("swim", no_refute, seed, false));
  }
  CHECK(caught == 3);
}

TEST_CASE("correct SWIM gives the same metrics with the observer deaf to protocol events") {
  for (const char* f : {"swim/crash_detection.yaml", "swim/join_storm.yaml", "swim/memberlist_lossy.yaml",
                        "swim/nemesis.yaml", "swim/paused_member.yaml", "swim/restart_and_leave.yaml"}) {
    const Scenario s = shipped_scenario(f);
    CAPTURE(s.name);
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      CAPTURE(seed);
      const RunResult heard = run_seed("swim", s, seed, true);
      const RunResult deaf = run_seed("swim", s, seed, false);
      CHECK(heard.violations.empty());
      check_same_verdicts(heard, deaf);
      check_same_metrics(heard, deaf);
      CHECK(deaf.stop_reason == heard.stop_reason);
    }
  }
  // The deaf observer was armed: each metric a scenario exists to produce has
  // samples, or counts.
  const RunResult crash = run_seed("swim", shipped_scenario("swim/crash_detection.yaml"), 1, false);
  CHECK(samples(crash, "detect_first_suspect_ns").size() == 1);
  CHECK(samples(crash, "detect_dead_ns").size() == 1);
  CHECK(samples(crash, "detect_all_aware_ns").size() == 1);
  CHECK(samples(crash, "detect_first_suspect_ns")[0] < samples(crash, "detect_dead_ns")[0]);
  const RunResult joins = run_seed("swim", shipped_scenario("swim/join_storm.yaml"), 1, false);
  CHECK(samples(joins, "join_all_aware_ns").size() >= 5);
  const RunResult paused = run_seed("swim", shipped_scenario("swim/paused_member.yaml"), 1, false);
  CHECK(samples(paused, "refutations")[0] >= 1);
}

TEST_CASE("changes() lists what each input changed, in order, and is cleared as the next begins") {
  swim::SwimParams p;
  p.leavers = {swim::Leaver{0, 10 * kSecond}};
  faultline::testing::RecordingHost<swim::Message> host(0, 5);
  swim::SwimShared shared(p, 5);
  swim::SwimNode node(0, 5, shared);
  // A message from `from`, alive at `incarnation`, carrying `updates`.
  const auto message = [](std::uint32_t incarnation, std::vector<swim::Update> updates) {
    swim::Message m;
    m.kind = swim::Message::Kind::kGossip;
    m.sender_incarnation = incarnation;
    for (const auto& u : updates) m.updates[m.count++] = u;
    return m;
  };
  struct Step {
    const char* input;
    std::vector<ViewChange> changes;
  };
  const std::vector<Step> steps = {
      {"start", {}},
      // n1 says n2 is suspect: this node's entry for n2 changes.
      {"n1: suspect n2@0", {{2, 0, MemberState::kSuspect, Cause::kLearned}}},
      // Old news changes nothing, and the last input's change is gone.
      {"n1: suspect n2@0", {}},
      // Suspected itself: it refutes at a higher incarnation.
      {"n1: suspect n0@0", {{0, 1, MemberState::kAlive, Cause::kRefuted}}},
      // Two updates in one message: two changes, in the message's order.
      {"n3: dead n2@0, alive n4@1",
       {{2, 0, MemberState::kDead, Cause::kLearned}, {4, 1, MemberState::kAlive, Cause::kLearned}}},
      // A message is news that its sender is alive at its incarnation: n2
      // comes back from the dead at a higher one.
      {"n2@1: nothing", {{2, 1, MemberState::kAlive, Cause::kLearned}}},
      {"probe", {}},
      {"leave at 10 s", {{0, 1, MemberState::kLeft, Cause::kLeft}}},
  };
  for (const Step& step : steps) {
    const std::string input = step.input;
    CAPTURE(input);
    if (input == "start") {
      node.on_start(host);
    } else if (input == "probe") {
      node.on_timer(host, swim::SwimNode::kProbeTimer);
    } else if (input == "leave at 10 s") {
      host.now_ = 10 * kSecond;
      node.on_timer(host, swim::SwimNode::kScriptTimer);
    } else if (input == "n1: suspect n2@0") {
      node.on_message(host, 1, message(0, {{2, 0, MemberState::kSuspect}}));
    } else if (input == "n1: suspect n0@0") {
      node.on_message(host, 1, message(0, {{0, 0, MemberState::kSuspect}}));
    } else if (input == "n3: dead n2@0, alive n4@1") {
      node.on_message(host, 3, message(0, {{2, 0, MemberState::kDead}, {4, 1, MemberState::kAlive}}));
    } else if (input == "n2@1: nothing") {
      node.on_message(host, 2, message(1, {}));
    }
    REQUIRE(node.changes().size() == step.changes.size());
    for (std::size_t i = 0; i < step.changes.size(); ++i) {
      CAPTURE(i);
      CHECK(node.changes()[i].member == step.changes[i].member);
      CHECK(node.changes()[i].incarnation == step.changes[i].incarnation);
      CHECK(node.changes()[i].state == step.changes[i].state);
      CHECK(node.changes()[i].cause == step.changes[i].cause);
    }
  }
  CHECK(node.incarnation() == 1);
  CHECK_FALSE(node.active());
  CHECK(node.member(2).state == MemberState::kAlive);

  // Restarted on the same storage (its refutation synced incarnation 1):
  // it starts again above it, and says so. A first start says nothing.
  swim::SwimNode restarted(0, 5, shared);
  restarted.on_start(host);
  REQUIRE(restarted.changes().size() == 1);
  CHECK(restarted.changes()[0].member == 0);
  CHECK(restarted.changes()[0].incarnation == 2);
  CHECK(restarted.changes()[0].cause == Cause::kRestarted);
}

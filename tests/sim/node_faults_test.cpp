// Each node fault acts: crash, restart (recovering only synced storage),
// pause/resume (backlog handled on resume), clock drift.
#include <doctest/doctest.h>

#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

std::size_t sends_by(const std::vector<std::string>& lines, const std::string& node, Time begin, Time end) {
  std::size_t n = 0;
  for (const auto& l : select(lines, "send", {{"node", node}}))
    if (line_time(l) >= begin && line_time(l) < end) ++n;
  return n;
}

}  // namespace

TEST_CASE("a crashed node goes silent, messages to it are dropped, and every live node detects it") {
  Scenario s = heartbeat_scenario(5, 3 * kSecond);
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 1 * kSecond, {2}));
  const auto run = run_traced(s);
  CHECK(sends_by(run.lines, "n2", 0, 1 * kSecond) >= 30);
  CHECK(sends_by(run.lines, "n2", 1 * kSecond, 3 * kSecond) == 0);
  CHECK(run.result.drops_by_reason.at("crashed") > 0);
  // No timer of the crashed node fires after the crash.
  for (const auto& l : select(run.lines, "timer", {{"node", "n2"}})) CHECK(line_time(l) < 1 * kSecond);
  REQUIRE(run.result.metrics.at("detection_ns").samples.size() == 1);
  const double detection = metric(run.result, "detection_ns");
  CHECK(detection > 500 * kMillisecond);  // the timeout
  CHECK(detection < 700 * kMillisecond);  // timeout + interval + latency
  CHECK(metric(run.result, "false_suspicions") == 0);
}

TEST_CASE("messages in flight to a node that crashes are dropped, even if it restarts first") {
  Scenario s = heartbeat_scenario(2, 2 * kSecond);
  s.network.defaults.latency.kind = LatencySpec::Kind::kConstant;
  s.network.defaults.latency.value = 50 * kMillisecond;
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 1 * kSecond, {1}));
  s.faults.push_back(fault(FaultEvent::Kind::kRestart, 1 * kSecond + 10 * kMillisecond, {1}));
  const auto run = run_traced(s);
  std::size_t sent_before = 0;
  for (const auto& l : select(run.lines, "send", {{"node", "n0"}}))
    if (line_time(l) > 1 * kSecond - 50 * kMillisecond && line_time(l) < 1 * kSecond) ++sent_before;
  REQUIRE(sent_before >= 1);
  std::size_t dropped = 0;
  for (const auto& l : select(run.lines, "drop", {{"reason", "crashed"}, {"node", "n1"}}))
    if (line_time(l) < 1 * kSecond + 50 * kMillisecond) ++dropped;
  CHECK(dropped == sent_before);
}

TEST_CASE("a restarted node recovers what it synced: its incarnation grows") {
  Scenario s = heartbeat_scenario(3, 4 * kSecond);
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 1 * kSecond, {1}));
  s.faults.push_back(fault(FaultEvent::Kind::kRestart, 2 * kSecond, {1}));
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 2500 * kMillisecond, {1}));
  s.faults.push_back(fault(FaultEvent::Kind::kRestart, 3 * kSecond, {1}));
  const auto run = run_traced(s);
  const auto starts = select(run.lines, "start", {{"node", "n1"}});
  REQUIRE(starts.size() == 3);
  CHECK(json_field(starts[0], "incarnation") == "1");
  CHECK(json_field(starts[1], "incarnation") == "2");
  CHECK(json_field(starts[2], "incarnation") == "3");
  CHECK(run.result.violations.empty());
  CHECK(metric(run.result, "restarts_noticed") == 4);  // two peers noticed each of two restarts
  CHECK(sends_by(run.lines, "n1", 2 * kSecond + 100 * kMillisecond, 2500 * kMillisecond) >= 4);
}

TEST_CASE("a restart loses unsynced writes: the incarnation invariant catches it") {
  Scenario s = heartbeat_scenario(3, 3 * kSecond);
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 1 * kSecond, {1}));
  s.faults.push_back(fault(FaultEvent::Kind::kRestart, 2 * kSecond, {1}));
  const RunResult r = run_plain(s, {.skip_sync = true});
  REQUIRE(r.violations.size() == 1);
  CHECK(r.violations[0].invariant == "incarnation_monotonic");
  CHECK(r.violations[0].node == "n1");
  CHECK(r.violations[0].time == 2 * kSecond);
  CHECK(r.stop_reason == "violation");
  CHECK_FALSE(r.ok());
}

TEST_CASE("a paused node neither receives nor fires timers, then handles its backlog on resume") {
  Scenario s = heartbeat_scenario(3, 4 * kSecond);
  s.faults.push_back(fault(FaultEvent::Kind::kPause, 1 * kSecond, {2}));
  s.faults.push_back(fault(FaultEvent::Kind::kResume, 2 * kSecond, {2}));
  const auto run = run_traced(s);
  CHECK(sends_by(run.lines, "n2", 1 * kSecond, 2 * kSecond) == 0);
  std::size_t during = 0, at_resume = 0;
  for (const auto& l : select(run.lines, "deliver", {{"node", "n2"}})) {
    if (line_time(l) > 1 * kSecond && line_time(l) < 2 * kSecond) ++during;
    if (line_time(l) == 2 * kSecond) ++at_resume;
  }
  CHECK(during == 0);
  CHECK(at_resume >= 15);  // ~10 heartbeats from each of 2 peers, handled at once
  // Its timer fired at resume too (the backlog holds it), and it sent again.
  CHECK(!select(run.lines, "timer", {{"node", "n2"}, {"t", std::to_string(2 * kSecond)}}).empty());
  CHECK(sends_by(run.lines, "n2", 2 * kSecond, 2 * kSecond + 1) == 2);
  // Peers suspected it during the pause, and trusted it again after.
  CHECK(!select(run.lines, "suspect", {{"node", "n0"}, {"peer", "2"}}).empty());
  CHECK(!select(run.lines, "trust", {{"node", "n0"}, {"peer", "2"}}).empty());
  CHECK(run.result.messages_dropped == 0);  // paused is not crashed: nothing is lost
}

TEST_CASE("clock drift makes a node's timers run fast or slow by its factor") {
  Scenario s = heartbeat_scenario(3, 10 * kSecond);
  FaultEvent fast = fault(FaultEvent::Kind::kDrift, 0, {1});
  fast.drift_ppm = 2'000'000;  // twice as fast
  FaultEvent slow = fault(FaultEvent::Kind::kDrift, 0, {2});
  slow.drift_ppm = 500'000;  // half speed
  s.faults.push_back(fast);
  s.faults.push_back(slow);
  const auto run = run_traced(s, {.interval = 100 * kMillisecond, .timeout = 5 * kSecond});
  const double normal = static_cast<double>(sends_by(run.lines, "n0", 0, 10 * kSecond));
  CHECK(normal == doctest::Approx(2 * 100).epsilon(0.02));
  CHECK(static_cast<double>(sends_by(run.lines, "n1", 0, 10 * kSecond)) == doctest::Approx(2 * normal).epsilon(0.02));
  CHECK(static_cast<double>(sends_by(run.lines, "n2", 0, 10 * kSecond)) == doctest::Approx(normal / 2).epsilon(0.03));
}

TEST_CASE("a slow clock makes a detector late: the drifting node suspects only after more real silence") {
  Scenario s = heartbeat_scenario(3, 4 * kSecond);
  FaultEvent slow = fault(FaultEvent::Kind::kDrift, 0, {0});
  slow.drift_ppm = 500'000;
  s.faults.push_back(slow);
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 1 * kSecond, {2}));
  const auto run = run_traced(s);
  const auto by_slow = select(run.lines, "suspect", {{"node", "n0"}, {"peer", "2"}});
  const auto by_normal = select(run.lines, "suspect", {{"node", "n1"}, {"peer", "2"}});
  REQUIRE(by_slow.size() == 1);
  REQUIRE(by_normal.size() == 1);
  CHECK(line_time(by_slow[0]) - 1 * kSecond > 1 * kSecond);      // 500 ms of its time = 1 s real
  CHECK(line_time(by_normal[0]) - 1 * kSecond < 700 * kMillisecond);
}

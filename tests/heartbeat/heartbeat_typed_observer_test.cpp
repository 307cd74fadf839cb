// The heartbeat observer judges and measures from typed state, not from
// trace events, so that renaming or dropping an event cannot disarm
// incarnation_monotonic or zero a metric: it has no protocol-event hook, and
// what it reads (HeartbeatNode::suspicion_changes(), suspects(), restarts_noticed(),
// incarnation()) agrees with what the trace says happened.
#include <doctest/doctest.h>

#include <string>
#include <type_traits>

#include "protocols/heartbeat/binding/heartbeat_protocol.hpp"
#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

TEST_CASE("the heartbeat observer hears no protocol event, and its figures agree with the trace") {
  // Its on_protocol_event is ObserverBase's empty one.
  CHECK(std::is_same_v<decltype(&HeartbeatObserver::on_protocol_event), decltype(&ObserverBase::on_protocol_event)>);
  for (const std::string file : {"heartbeat/crash_detection.yaml", "heartbeat/nemesis.yaml"}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(file);
      CAPTURE(seed);
      const TracedRun run = run_registered_traced(shipped_scenario(file), seed);
      CHECK(run.result.violations.empty());
      const auto restarted = select(run.lines, "restarted").size();
      CHECK(restarted > 0);
      CHECK(metric(run.result, "restarts_noticed") == static_cast<double>(restarted));
      // Every crash was seen suspected by everyone (read from suspects()).
      CHECK(run.result.metrics.at("detection_ns").samples.size() >= 1);
      CHECK(metric(run.result, "unconverged_pairs") == 0);
    }
  }
  // crash_detection: n2's crash at 2 s, detected by the four others within
  // 700 ms; the detection ends at the last of their "suspect" lines about n2.
  const TracedRun run = run_registered_traced(shipped_scenario("heartbeat/crash_detection.yaml"), 1);
  Time last = 0;
  for (const auto& line : select(run.lines, "suspect", {{"peer", "2"}}))
    if (line_time(line) < 5 * kSecond) last = std::max(last, line_time(line));
  CHECK(metric(run.result, "detection_ns") == static_cast<double>(last - 2 * kSecond));
}

// RunOptions::stop and RunOptions::deadline, which `faultline shrink` uses to
// end a candidate run mid-way when its --budget runs out: a run asked to stop
// ends within kStopCheckEvents events, says "stopped", and skips the
// end-of-run history check; a run that may be stopped but is not is the same
// run, event for event, as one that may not.
#include <doctest/doctest.h>

#include <chrono>
#include <stop_token>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"

using namespace faultline;

namespace {

Scenario shipped(const std::string& path, const std::vector<std::string>& sets = {}) {
  const std::string file = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/" + path;
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  return load_scenario_text(read_scenario_file(file), file, overrides);
}

}  // namespace

TEST_CASE("a run whose deadline has passed stops after the first stop check, before its end") {
  const Scenario s = shipped("raft/nemesis.yaml");
  const ProtocolBinding* raft = find_protocol(s.protocol);
  RunOptions whole;
  whole.seed = 1;
  const RunResult full = raft->run(s, whole);
  REQUIRE(full.stop_reason == "duration");
  REQUIRE(full.events > 10 * RunOptions::kStopCheckEvents);

  RunOptions late = whole;
  late.deadline = std::chrono::steady_clock::now();  // already past when the run starts
  const RunResult stopped = raft->run(s, late);
  CHECK(stopped.stop_reason == "stopped");
  // The loop looks every kStopCheckEvents dispatched events; events counts
  // only some of them, so at most that many.
  CHECK(stopped.events > 0);
  CHECK(stopped.events <= RunOptions::kStopCheckEvents);
  CHECK(stopped.virtual_time_ns < s.duration);
  // The client history was not checked (a partial history is no verdict).
  CHECK(stopped.violations.empty());
  CHECK(stopped.metrics.count("linearizability_steps") == 0);
  CHECK(full.metrics.count("linearizability_steps") == 1);
}

TEST_CASE("a run whose stop token is requested stops mid-run, and says so") {
  const Scenario s = shipped("raft/nemesis.yaml");
  std::stop_source source;
  source.request_stop();
  RunOptions o;
  o.seed = 1;
  o.stop = source.get_token();
  const RunResult r = find_protocol(s.protocol)->run(s, o);
  CHECK(r.stop_reason == "stopped");
  CHECK(r.events <= RunOptions::kStopCheckEvents);
  CHECK(r.virtual_time_ns < s.duration);
}

TEST_CASE("a run that may be stopped but is not is the same run: same trace hash, events, violation") {
  const Scenario s = shipped("raft/churn.yaml", {"params.mutant=vote_not_persisted"});
  const ProtocolBinding* raft = find_protocol(s.protocol);
  RunOptions plain;
  plain.seed = 1;
  std::stop_source source;  // never requested
  RunOptions stoppable = plain;
  stoppable.stop = source.get_token();
  stoppable.deadline = std::chrono::steady_clock::now() + std::chrono::hours(24);
  REQUIRE(stoppable.stoppable());
  const RunResult a = raft->run(s, plain);
  const RunResult b = raft->run(s, stoppable);
  REQUIRE(!a.violations.empty());
  CHECK(a.stop_reason == "violation");
  CHECK(b.stop_reason == a.stop_reason);
  CHECK(b.trace_hash == a.trace_hash);
  CHECK(b.events == a.events);
  CHECK(b.virtual_time_ns == a.virtual_time_ns);
  REQUIRE(!b.violations.empty());
  CHECK(b.violations.front().message == a.violations.front().message);
}

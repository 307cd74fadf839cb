// `crash: {nodes: leader, for: D}` and `pause: {nodes: leader, for: D}`: the
// leader when the fault applies goes down, and that same node comes back D
// later, whichever node it was (the simulation queues the undo as the fault
// applies). A run with it is the run with the named crash and restart of
// the node that led, event for event.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;
using test::json_field;
using test::line_time;
using test::select;

namespace {

using Traced = test::TracedRun;

Traced run_raft(const std::string& faults, std::uint64_t seed = 1) {
  const Scenario s = load_scenario_text(
      "protocol: raft\nnodes: 5\nduration: 6s\nparams: {election_timeout: 150ms..300ms, heartbeat_interval: 50ms}\n"
      "faults:\n" + faults,
      "t.yaml", {});
  return test::run_registered_traced(s, seed);
}

std::vector<std::string> faults_of(const Traced& t, const std::string& fault) {
  return select(t.lines, "fault", {{"fault", fault}});
}

}  // namespace

TEST_CASE("a crash of the leader with `for` restarts the node it crashed, as the named crash and restart would") {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const Traced isolated = run_raft("  - {at: 3s, isolate: leader}\n", seed);
    REQUIRE(faults_of(isolated, "isolate").size() == 1);
    const std::string leader = json_field(faults_of(isolated, "isolate")[0], "node");

    const Traced t = run_raft("  - {at: 3s, crash: {nodes: leader, for: 800ms}}\n", seed);
    const auto crashes = faults_of(t, "crash"), restarts = faults_of(t, "restart");
    REQUIRE(crashes.size() == 1);
    REQUIRE(restarts.size() == 1);
    CHECK(json_field(crashes[0], "node") == leader);
    CHECK(line_time(crashes[0]) == 3 * kSecond);
    CHECK(json_field(restarts[0], "node") == leader);
    CHECK(line_time(restarts[0]) == 3800 * kMillisecond);
    CHECK(json_field(restarts[0], "cause") == "timeline");

    const Traced named = run_raft(fmt::format("  - {{at: 3s, crash: {0}}}\n  - {{at: 3800ms, restart: {0}}}\n", leader), seed);
    CHECK(named.result.trace_hash == t.result.trace_hash);
    CHECK(named.result.events == t.result.events);
  }
}

TEST_CASE("each crash or pause of the leader with `for` brings back the node it hit, not the leader at the undo") {
  const Traced t = run_raft(
      "  - {at: 1s, crash: {nodes: leader, for: 1500ms}}\n"
      "  - {at: 2s, crash: {nodes: leader, for: 1s}}\n"
      "  - {at: 4s, pause: {nodes: leader, for: 300ms}}\n");
  const auto crashes = faults_of(t, "crash"), restarts = faults_of(t, "restart");
  REQUIRE(crashes.size() == 2);
  REQUIRE(restarts.size() == 2);
  CHECK(json_field(crashes[0], "node") != json_field(crashes[1], "node"));  // a new leader by 2 s
  CHECK(json_field(restarts[0], "node") == json_field(crashes[0], "node"));
  CHECK(line_time(restarts[0]) == 2500 * kMillisecond);
  CHECK(json_field(restarts[1], "node") == json_field(crashes[1], "node"));
  CHECK(line_time(restarts[1]) == 3 * kSecond);
  const auto pauses = faults_of(t, "pause"), resumes = faults_of(t, "resume");
  REQUIRE(pauses.size() == 1);
  REQUIRE(resumes.size() == 1);
  CHECK(json_field(resumes[0], "node") == json_field(pauses[0], "node"));
  CHECK(line_time(resumes[0]) == 4300 * kMillisecond);
}

TEST_CASE("a named crash of the node a crash of the leader hit is skipped, and the `for` still restarts it") {
  const Traced isolated = run_raft("  - {at: 3s, isolate: leader}\n");
  REQUIRE(faults_of(isolated, "isolate").size() == 1);
  const std::string leader = json_field(faults_of(isolated, "isolate")[0], "node");
  const Traced t = run_raft(fmt::format("  - {{at: 3s, crash: {{nodes: leader, for: 2s}}}}\n  - {{at: 4s, crash: {}}}\n", leader));
  const auto crashes = faults_of(t, "crash"), restarts = faults_of(t, "restart");
  REQUIRE(crashes.size() == 1);
  REQUIRE(restarts.size() == 1);
  CHECK(json_field(restarts[0], "node") == leader);
  CHECK(line_time(restarts[0]) == 5 * kSecond);
  const auto skipped = select(t.lines, "fault", {{"fault", "skipped"}, {"action", "crash"}});
  REQUIRE(skipped.size() == 1);
  CHECK(json_field(skipped[0], "node") == leader);
  CHECK(line_time(skipped[0]) == 4 * kSecond);
}

TEST_CASE("a `for` that ends after the run is not undone") {
  const Traced t = run_raft("  - {at: 5s, crash: {nodes: leader, for: 2s}}\n");
  CHECK(faults_of(t, "crash").size() == 1);
  CHECK(faults_of(t, "restart").empty());
}

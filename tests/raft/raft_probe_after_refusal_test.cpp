// params.probe_after_refusal (raft_params.hpp): after a refused
// AppendEntries the leader sends the follower one probe and nothing more
// until it answers (a heartbeat sends the probe again), and ignores
// refusals of messages the follower has acknowledged past. On the defaults'
// reordering links that turns most resends off; checked here on the
// benchmark's load (5 servers, 1,000 requests/s, 256 clients and keys),
// with loss, and in the trace. Off, nothing changes: the shipped scenarios'
// hashes (tests/scenario/shipped_hashes_test.cpp) hold that.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;
using test::json_field;
using test::metric;
using test::select;

namespace {

// The hour's load for `duration`, on uniform 1-5 ms links (which reorder).
Scenario benchmark_load(const std::string& duration, bool probe, const std::string& loss = "0") {
  return load_scenario_text(
      "protocol: raft\nnodes: 5\nduration: " + duration +
          "\nparams: {election_timeout: 150ms..300ms, heartbeat_interval: 50ms, probe_after_refusal: " +
          (probe ? "true" : "false") + "}\nnetwork: {latency: {dist: uniform, min: 1ms, max: 5ms}, loss: " + loss +
          "}\nworkload: {clients: 256, rate: 1000, keys: 256, read_fraction: 0.3, request_timeout: 300ms}\n",
      "probe.yaml", {});
}

RunResult run(const Scenario& s, std::uint64_t seed, const std::string& trace_path = "") {
  RunOptions o;
  o.seed = seed;
  o.trace_path = trace_path;
  return find_protocol("raft")->run(s, o);
}

}  // namespace

TEST_CASE("probe_after_refusal: on reordering links the benchmark's load sends a third fewer messages, every check passing") {
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    CAPTURE(seed);
    const RunResult streaming = run(benchmark_load("5s", false), seed);
    const RunResult probing = run(benchmark_load("5s", true), seed);
    REQUIRE(streaming.violations.empty());
    CHECK(probing.violations.empty());
    CHECK(probing.stop_reason == "duration");
    CHECK(metric(probing, "linearizability_unknown") == 0);
    // Measured: 12.1 messages per answered operation against 7.8.
    CHECK(metric(streaming, "messages_per_commit") > 11.0);
    CHECK(metric(probing, "messages_per_commit") < 0.7 * metric(streaming, "messages_per_commit"));
    // The answered operations hardly change (clients wait a little longer: 0.3% fewer in an hour).
    CHECK(metric(probing, "ops_ok") > 0.97 * metric(streaming, "ops_ok"));
  }
}

TEST_CASE("probe_after_refusal: with 5% loss a lost probe goes again on a heartbeat, and followers keep up") {
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    CAPTURE(seed);
    const RunResult streaming = run(benchmark_load("5s", false, "0.05"), seed);
    const RunResult probing = run(benchmark_load("5s", true, "0.05"), seed);
    REQUIRE(streaming.violations.empty());
    CHECK(probing.violations.empty());
    CHECK(metric(probing, "ops_ok") > 0.9 * metric(streaming, "ops_ok"));
    CHECK(metric(probing, "messages_per_commit") < metric(streaming, "messages_per_commit"));
  }
}

TEST_CASE("probe_after_refusal: a refusal names the AppendEntries it refused, only with the option on") {
  for (const bool probe : {false, true}) {
    CAPTURE(probe);
    const std::string path = test::temp_path("probe.jsonl");
    const RunResult r = run(benchmark_load("1s", probe), 1, path);
    const auto lines = test::read_lines(path);
    std::filesystem::remove(path);
    REQUIRE(r.violations.empty());
    std::size_t refusals = 0, named = 0;
    for (const auto& l : select(lines, "send", {{"type", "append_reply"}, {"success", "0"}})) {
      ++refusals;
      if (!json_field(l, "refused_index").empty()) ++named;
    }
    CHECK(refusals > 0);
    CHECK(named == (probe ? refusals : 0));
  }
}

// The loader, beyond scenario_loader_test.cpp (which covers the
// every-key scenario, defaults, the --set examples and the fuzz run): each
// latency distribution, the workload, source locations, the fault timeline's
// state machine, duplicate keys, deep nesting, and overrides that create or
// append entries.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/loader_errors.hpp"

using namespace faultline;

namespace {

using faultline::test::error_of;

Scenario load(const std::string& text, const std::vector<std::string>& sets = {}) {
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  return load_scenario_text(text, "s.yaml", overrides);
}

LatencySpec latency_of(const std::string& latency_yaml) {
  return load("protocol: heartbeat\nnodes: 2\nnetwork:\n  latency: " + latency_yaml + "\n").network.defaults.latency;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("every latency distribution reads its own parameters in nanoseconds") {
  using K = LatencySpec::Kind;
  const LatencySpec shorthand = latency_of("5ms");
  CHECK(shorthand.kind == K::kConstant);
  CHECK(shorthand.value == 5'000'000);
  const LatencySpec constant = latency_of("{dist: constant, value: 250us}");
  CHECK(constant.kind == K::kConstant);
  CHECK(constant.value == 250'000);
  const LatencySpec uniform = latency_of("{dist: uniform, min: 2ms, max: 7ms}");
  CHECK(uniform.kind == K::kUniform);
  CHECK(uniform.min == 2'000'000);
  CHECK(uniform.max == 7'000'000);
  const LatencySpec normal = latency_of("{dist: normal, mean: 5ms, stddev: 1ms}");
  CHECK(normal.kind == K::kNormal);
  CHECK(normal.mean == 5'000'000);
  CHECK(normal.stddev == 1'000'000);
  const LatencySpec exponential = latency_of("{dist: exponential, mean: 2ms, offset: 1ms}");
  CHECK(exponential.kind == K::kExponential);
  CHECK(exponential.mean == 2'000'000);
  CHECK(exponential.offset == 1'000'000);
  const LatencySpec pareto = latency_of("{dist: pareto, scale: 1ms, alpha: 1.5}");
  CHECK(pareto.kind == K::kPareto);
  CHECK(pareto.scale == 1'000'000);
  CHECK(pareto.alpha == 1.5);
  CHECK(pareto.offset == 0);
  const LatencySpec fallback = load("protocol: heartbeat\nnodes: 2\n").network.defaults.latency;
  CHECK(fallback.kind == K::kUniform);
  CHECK(fallback.min == 1'000'000);
  CHECK(fallback.max == 5'000'000);
}

TEST_CASE("the workload reads every key, for a protocol with clients") {
  const Scenario s = load(
      "protocol: raft\nnodes: 3\nduration: 10s\n"
      "workload: {clients: 4, rate: 100, keys: 16, read_fraction: 0.25, request_timeout: 750ms, start: 1s, stop: 9s}\n");
  REQUIRE(s.workload.has_value());
  CHECK(s.workload->clients == 4);
  CHECK(s.workload->rate_per_s == 100.0);
  CHECK(s.workload->keys == 16);
  CHECK(s.workload->read_fraction == 0.25);
  CHECK(s.workload->request_timeout == 750'000'000);
  CHECK(s.workload->start == 1'000'000'000);
  CHECK(*s.workload->stop == 9'000'000'000);
  CHECK(s.workload->where.line == 4);
  CHECK(contains(error_of("protocol: heartbeat\nnodes: 3\nworkload: {rate: 1}\n"),
                 "s.yaml:3:11: workload: protocol 'heartbeat' has no clients"));
  CHECK(contains(error_of("protocol: raft\nnodes: 3\nworkload: {rate: -1}\n"), "workload.rate: must be above zero"));
}

TEST_CASE("node counts name n0.., lists keep their order, seeds span 64 bits") {
  const Scenario counted = load("protocol: heartbeat\nnodes: 10000000\nseed: 18446744073709551615\n");
  CHECK(counted.node_count() == 10'000'000);
  CHECK(counted.node_name(9'999'999) == "n9999999");
  CHECK(counted.seed == UINT64_MAX);
  const Scenario listed = load("protocol: heartbeat\nnodes: [zeta, alpha]\nfaults: [{at: 1s, crash: alpha}]\n");
  CHECK(listed.node_names == std::vector<std::string>{"zeta", "alpha"});
  CHECK(listed.faults[0].nodes == std::vector<NodeId>{1});
  CHECK(contains(error_of("protocol: heartbeat\nnodes: [a, b, a]\n"), "s.yaml:2:15: nodes: node 'a' is named twice"));
}

TEST_CASE("faults, nemeses, link overrides and expectations carry 1-based source locations") {
  const Scenario s = load(
      "protocol: heartbeat\n"                                             // 1
      "nodes: 3\n"                                                        // 2
      "network:\n"                                                        // 3
      "  links:\n"                                                        // 4
      "    - {from: n0, to: n1, loss: 0.5}\n"                             // 5
      "faults:\n"                                                         // 6
      "  - {at: 2s, crash: n1}\n"                                         // 7
      "  -   {at: 1s, pause: n2}\n"                                       // 8
      "nemesis:\n"                                                        // 9
      "  - {kind: pause, every: 1s, recover: 1s}\n"                       // 10
      "expect:\n"                                                         // 11
      "  - {metric: events, count_min: 1}\n");                            // 12
  CHECK(s.network.overrides[0].where.line == 5);
  CHECK(s.network.overrides[0].where.column == 7);
  REQUIRE(s.faults.size() == 2);
  CHECK(s.faults[0].kind == FaultEvent::Kind::kPause);  // sorted by `at`
  CHECK(s.faults[0].where.line == 8);
  CHECK(s.faults[0].where.column == 7);
  CHECK(s.faults[1].where.line == 7);
  CHECK(s.nemesis[0].where.line == 10);
  CHECK(s.nemesis[0].kind == NemesisSpec::Kind::kPause);
  CHECK(s.expectations[0].where.line == 12);
  CHECK(s.expectations[0].where.file == "s.yaml");
  CHECK(*s.expectations[0].count_min == 1);
}

TEST_CASE("the fault timeline replays each node's state") {
  const std::string head = "protocol: heartbeat\nnodes: 3\nfaults:\n";
  // A paused node may crash, and then restart.
  const Scenario ok = load(head + "  - {at: 1s, pause: n1}\n  - {at: 2s, crash: n1}\n  - {at: 3s, restart: n1}\n");
  CHECK(ok.faults.size() == 3);
  // Ties keep file order: crash then restart at the same time is fine...
  CHECK_NOTHROW(load(head + "  - {at: 1s, crash: n1}\n  - {at: 1s, restart: n1}\n"));
  // ...restart then crash at the same time is not.
  CHECK(contains(error_of(head + "  - {at: 1s, restart: n1}\n  - {at: 1s, crash: n1}\n"),
                 "s.yaml:4:23: faults.0.restart: restart n1 at 1s: it is running"));
  // File order does not matter, time does.
  CHECK(contains(error_of(head + "  - {at: 3s, restart: n1}\n  - {at: 2s, resume: n1}\n"),
                 "faults.1.resume: resume n1 at 2s: it is running; only a paused node can resume"));
  CHECK(contains(error_of(head + "  - {at: 1s, crash: [n0, n2]}\n  - {at: 2s, pause: n2}\n"),
                 "pause n2 at 2s: it is crashed"));
  CHECK(contains(error_of(head + "  - {at: 11s, crash: n1}\n"), "faults.0.at: 11s is after the end of the run (10s)"));
  CHECK(contains(error_of(head + "  - {at: 10s, crash: n1}\n"), "no error"));
  CHECK(contains(error_of(head + "  - {at: 1s, partition: [[n0, n1], [n1, n2]]}\n"), "groups overlap"));
  CHECK(contains(error_of(head + "  - {at: 1s, bogus: n1}\n"), "unknown fault 'bogus'"));
  CHECK(contains(error_of(head + "  - {at: 1s, crsh: n1}\n"), "did you mean 'crash'?"));
}

TEST_CASE("a key written twice is an error at the second, not silently the first") {
  CHECK(error_of("protocol: heartbeat\nnodes: 3\nnodes: 5\n") ==
        "s.yaml:3:1: nodes: key 'nodes' appears twice (first on line 2)");
  CHECK(contains(error_of("protocol: heartbeat\nnodes: 3\nnetwork: {loss: 0.1, loss: 0.2}\n"),
                 "s.yaml:3:22: network.loss: key 'loss' appears twice"));
}

TEST_CASE("pathological YAML is a ScenarioError, not a crash") {
  CHECK(contains(error_of("protocol: heartbeat\nnodes: " + std::string(100'000, '[') + "\n"), "nested too deeply"));
  CHECK(contains(error_of("protocol: heartbeat\nnodes: *nowhere\n"), "s.yaml:2:"));
  CHECK(contains(error_of("protocol: heartbeat\nnodes: &a [*a]\n"), "nodes:"));
  CHECK(contains(error_of("- 1\n- 2\n"), "s.yaml:1:1: a scenario is a mapping"));
  CHECK(contains(error_of(""), "s.yaml:1:1: the scenario is empty"));
  CHECK(contains(error_of("protocol: heartbeat\nnodes: 3\n? [a, b]\n: 1\n"), "keys must be plain words"));
  CHECK(contains(error_of(std::string("protocol: \"\\x\"\n")), "YAML syntax error"));
}

TEST_CASE("--set creates missing maps, appends at index == size, and reports against itself") {
  const std::string base = "protocol: heartbeat\nnodes: 3\n";
  const Scenario created = load(base, {"network.latency.dist=constant", "network.latency.value=7ms"});
  CHECK(created.network.defaults.latency.kind == LatencySpec::Kind::kConstant);
  CHECK(created.network.defaults.latency.value == 7'000'000);
  const Scenario appended = load(base, {"faults.0={at: 1s, crash: n2}", "faults.1.at=2s", "faults.1.restart=n2"});
  REQUIRE(appended.faults.size() == 2);
  CHECK(appended.faults[1].kind == FaultEvent::Kind::kRestart);
  CHECK(appended.faults[1].nodes == std::vector<NodeId>{2});
  CHECK(load(base, {"seed=42"}).seed == 42);
  CHECK(load(base, {"description=a = b"}).description == "a = b");  // split at the first '='
  CHECK(error_of(base, {"nodes=0"}) == "--set nodes=0: nodes: must be between 1 and 10000000, got 0");
  CHECK(error_of(base, {"network.los=0.1"}) == "--set network.los=0.1: network.los: unknown key 'los'; did you mean 'loss'?");
  CHECK(error_of(base, {"protocl=kv"}).rfind("--set protocl=kv: protocl: unknown key 'protocl'; did you mean 'protocol'?", 0) == 0);
  CHECK(contains(error_of(base, {"faults.0.at=5 sex", "faults.0.crash=n1"}), "--set faults.0.at=5 sex: faults.0.at:"));
  CHECK(contains(error_of(base, {"duration=[1"}), "--set duration=[1: duration: the value is not valid YAML"));
  CHECK(error_of(base, {"faults.2.at=1s"}) == "--set faults.2.at=1s: faults.2.at: 'faults' has 0 entries; the next new one is faults.0");
  // A file error is still reported at its line when overrides touch other keys.
  CHECK(contains(error_of(base + "network: {loss: 2}\n", {"seed=3"}), "s.yaml:3:17: network.loss:"));
}

TEST_CASE("an error in a section that a --set created names the --set, not the file") {
  const std::string base = "protocol: heartbeat\nnodes: 3\n";
  // `a` and its nested mappings exist only because of the override.
  CHECK(error_of(base, {"a.b.c.d.e=1"}) == "--set a.b.c.d.e=1: a: unknown key 'a'");
  CHECK(error_of(base + "network: {loss: 0.1}\n", {"network.x.y=1"}) ==
        "--set network.x.y=1: network.x: unknown key 'x'");
  CHECK(error_of(base, {"params.x.y=1"}) == "--set params.x.y=1: params.x: unknown key 'x'");
  // A fault entry started by --set and missing its `at` blames the --set.
  CHECK(error_of(base, {"faults.0.x.y=1"}) == "--set faults.0.x.y=1: faults.0.at: missing: when the fault happens, e.g. at: 2s");
  // A key the file has keeps its line even when a --set reaches below it.
  CHECK(contains(error_of(base + "network:\n  los: 0.1\n", {"network.latency.dist=uniform"}),
                 "s.yaml:4:3: network.los: unknown key 'los'"));
}

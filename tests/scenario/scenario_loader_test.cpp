// The loader reads every key of the format into exactly the values meant, and
// --set changes the tree before validation.
#include <doctest/doctest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/yaml_section.hpp"

using namespace faultline;

namespace {

const char* kFull = R"(name: full
description: every key
protocol: heartbeat
params: {interval: 50ms, timeout: 300ms}
nodes: [a, b, c, d, e]
duration: 1m
seed: 99
network:
  latency: {dist: lognormal, median: 3ms, sigma: 0.25, offset: 1ms}
  loss: 0.01
  duplicate: 0.002
  fifo: true
  links:
    - {from: a, to: [b, c], symmetric: false, latency: 40ms, loss: 0.5}
    - {from: all, to: e, duplicate: 0.1}
faults:
  - {at: 3s, restart: b}
  - {at: 2s, crash: b}
  - {at: 4s, partition: [[a, b], [c]]}
  - {at: 5s, one_way: {from: [d], to: [e]}}
  - {at: 6s, isolate: c}
  - {at: 7s, heal: all}
  - {at: 0s, drift: {nodes: [d, e], factor: 1.05}}
  - {at: 8s, pause: a}
  - {at: 9.5s, resume: a}
nemesis:
  - {kind: crash, every: 2s..5s, recover: 1s, start: 10s, stop: 50s, max_down: 1}
  - {kind: partition, every: [5s, 10s], recover: 1s..3s}
stop:
  when: all_crashes_detected
  max_events: 123456
expect:
  - {name: fast, metric: detection_ns, max: 700ms, count_min: 1}
  - {metric: false_suspicions, min: 0, max: 3}
)";

}  // namespace

TEST_CASE("a scenario with every key loads into exactly the values written") {
  const Scenario s = load_scenario_text(kFull, "full.yaml");
  CHECK(s.name == "full");
  CHECK(s.description == "every key");
  CHECK(s.protocol == "heartbeat");
  CHECK(s.node_names == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(s.duration == 60 * kSecond);
  CHECK(s.seed == 99);
  const auto& lat = s.network.defaults.latency;
  CHECK(lat.kind == LatencySpec::Kind::kLognormal);
  CHECK(lat.median == 3 * kMillisecond);
  CHECK(lat.sigma == 0.25);
  CHECK(lat.offset == 1 * kMillisecond);
  CHECK(s.network.defaults.loss == 0.01);
  CHECK(s.network.defaults.duplicate == 0.002);
  CHECK(s.network.fifo);
  REQUIRE(s.network.overrides.size() == 2);
  CHECK(s.network.overrides[0].from == std::vector<NodeId>{0});
  CHECK(s.network.overrides[0].to == std::vector<NodeId>{1, 2});
  CHECK_FALSE(s.network.overrides[0].symmetric);
  CHECK(s.network.overrides[0].latency->kind == LatencySpec::Kind::kConstant);
  CHECK(s.network.overrides[0].latency->value == 40 * kMillisecond);
  CHECK(*s.network.overrides[0].loss == 0.5);
  CHECK_FALSE(s.network.overrides[0].duplicate.has_value());
  CHECK(s.network.overrides[1].from.size() == 5);
  CHECK(s.network.overrides[0].where.line == 14);

  // Faults come sorted by time, ties in file order.
  REQUIRE(s.faults.size() == 9);
  using K = FaultEvent::Kind;
  CHECK(s.faults[0].kind == K::kDrift);
  CHECK(s.faults[0].drift_ppm == 1'050'000);
  CHECK(s.faults[0].nodes == std::vector<NodeId>{3, 4});
  CHECK(s.faults[1].kind == K::kCrash);
  CHECK(s.faults[1].at == 2 * kSecond);
  CHECK(s.faults[2].kind == K::kRestart);
  CHECK(s.faults[3].groups == std::vector<std::vector<NodeId>>{{0, 1}, {2}});
  CHECK(s.faults[4].from == std::vector<NodeId>{3});
  CHECK(s.faults[4].to == std::vector<NodeId>{4});
  CHECK(s.faults[5].kind == K::kIsolate);
  CHECK(s.faults[6].kind == K::kHeal);
  CHECK(s.faults[8].at == 9500 * kMillisecond);

  REQUIRE(s.nemesis.size() == 2);
  CHECK(s.nemesis[0].kind == NemesisSpec::Kind::kCrash);
  CHECK(s.nemesis[0].every_min == 2 * kSecond);
  CHECK(s.nemesis[0].every_max == 5 * kSecond);
  CHECK(s.nemesis[0].recover_min == 1 * kSecond);
  CHECK(s.nemesis[0].start == 10 * kSecond);
  CHECK(*s.nemesis[0].stop == 50 * kSecond);
  CHECK(*s.nemesis[0].max_down == 1);
  CHECK(s.nemesis[1].every_min == 5 * kSecond);
  CHECK(s.nemesis[1].recover_max == 3 * kSecond);
  CHECK_FALSE(s.nemesis[1].max_down.has_value());

  CHECK(s.stop.when == std::vector<std::string>{"all_crashes_detected"});
  CHECK(*s.stop.max_events == 123456);
  REQUIRE(s.expectations.size() == 2);
  CHECK(s.expectations[0].name == "fast");
  CHECK(*s.expectations[0].max == 700e6);
  CHECK(*s.expectations[0].count_min == 1);
  CHECK(*s.expectations[1].min == 0);
  CHECK(*s.expectations[1].max == 3);
}

TEST_CASE("defaults fill what a scenario leaves out") {
  const Scenario s = load_scenario_text("protocol: heartbeat\nnodes: 3\n", "dir/minimal.yaml");
  CHECK(s.name == "minimal");
  CHECK(s.node_count() == 3);
  CHECK(s.node_name(2) == "n2");
  CHECK(s.duration == 10 * kSecond);
  CHECK(s.seed == 1);
  CHECK(s.network.defaults.latency.kind == LatencySpec::Kind::kUniform);
  CHECK(s.network.defaults.loss == 0.0);
  CHECK_FALSE(s.network.fifo);
  CHECK(s.faults.empty());
}

TEST_CASE("parse_duration accepts units and rejects the rest") {
  struct Case {
    const char* text;
    std::optional<Duration> want;
  };
  const Case cases[] = {
      {"150ms", 150 * kMillisecond}, {"2s", 2 * kSecond},       {"1m", kMinute},          {"1.5s", 1500 * kMillisecond},
      {"250us", 250 * kMicrosecond}, {"10ns", 10},              {"1h", kHour},            {"0", 0},
      {"0.1s", 100 * kMillisecond},  {"2min", 2 * kMinute},     {"5 sex", std::nullopt},  {"-1s", std::nullopt},
      {"10", std::nullopt},          {"1.5.s", std::nullopt},   {"s", std::nullopt},      {"", std::nullopt},
      {"1e99s", std::nullopt},       {"0.5ns", std::nullopt},   {"99999999999h", std::nullopt}, {"1 s", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(parse_duration(c.text) == c.want);
  }
}

TEST_CASE("did_you_mean finds near misses only") {
  const std::vector<std::string> keys = {"loss", "duplicate", "latency", "fifo", "links"};
  CHECK(did_you_mean("los", keys) == "did you mean 'loss'?");
  CHECK(did_you_mean("dupilcate", keys) == "did you mean 'duplicate'?");
  CHECK(did_you_mean("latnecy", keys) == "did you mean 'latency'?");
  CHECK(did_you_mean("bandwidth", keys).empty());
  CHECK(did_you_mean("x", keys).empty());
}

TEST_CASE("--set overrides change the tree before validation") {
  const char* base = "protocol: heartbeat\nnodes: 3\nnetwork: {loss: 0.1}\nfaults:\n  - {at: 1s, crash: n1}\n";
  auto with = [&](std::vector<std::string> sets) {
    std::vector<Override> o;
    for (const auto& s : sets) o.push_back(parse_override(s));
    return load_scenario_text(base, "base.yaml", o);
  };
  CHECK(with({"nodes=1000"}).node_count() == 1000);
  CHECK(with({"network.loss=0.05"}).network.defaults.loss == 0.05);
  CHECK(with({"network.latency.dist=normal", "network.latency.mean=5ms"}).network.defaults.latency.kind ==
        LatencySpec::Kind::kNormal);
  CHECK(with({"faults.0.at=3s"}).faults[0].at == 3 * kSecond);
  CHECK(with({"faults.1={at: 4s, restart: n1}"}).faults.size() == 2);
  CHECK(with({"nodes=[a,b,c]", "faults.0.crash=b"}).node_names[1] == "b");
  CHECK(with({"params.timeout=2s"}).params["timeout"].as<std::string>() == "2s");
  CHECK(with({"duration=20s"}).duration == 20 * kSecond);

  auto error_of = [&](std::vector<std::string> sets) -> std::string {
    try {
      with(std::move(sets));
    } catch (const ScenarioError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string bad = error_of({"network.loss=1.5"});
  CHECK(bad.find("--set network.loss=1.5: network.loss: expected a probability in [0, 1]") == 0);
  CHECK(error_of({"network.los=0.1"}).find("did you mean 'loss'") != std::string::npos);
  CHECK(error_of({"faults.5.at=1s"}).find("has 1 entries") != std::string::npos);
  CHECK(error_of({"params.interval=5 sex"}).find("--set params.interval=5 sex") == 0);
  CHECK(error_of({"nodes.x=1"}).find("single value") != std::string::npos);
  CHECK_THROWS_AS(parse_override("no-equals-sign"), ScenarioError);
  CHECK_THROWS_AS(parse_override("=5"), ScenarioError);
}

TEST_CASE("errors name the file, line, column and dotted key") {
  try {
    load_scenario_text("protocol: heartbeat\nnodes: 3\nnetwork:\n  links:\n    - {from: n0, to: n5, loss: 0.1}\n",
                       "links.yaml");
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()).find("links.yaml:5:") == 0);
    CHECK(e.key() == "network.links.0.to");
    CHECK(e.where().line == 5);
  }
}

TEST_CASE("the loader never crashes or hangs on mangled input") {
  // 3,000 deterministic mutations of a valid scenario: each must load or
  // throw ScenarioError, nothing else.
  const std::string valid = kFull;
  std::uint64_t lcg = 12345;
  auto next = [&] {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg >> 33;
  };
  const std::string alphabet = " :-[]{},\n\t#&*!|>'\"0123456789abcnsm.";
  int loaded = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = next() % (text.size() + 1);
      const char c = alphabet[next() % alphabet.size()];
      switch (next() % 3) {
        case 0: text.insert(text.begin() + static_cast<long>(at), c); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        default: if (at < text.size()) text[at] = c; break;
      }
    }
    try {
      load_scenario_text(text, "fuzz.yaml");
      ++loaded;
    } catch (const ScenarioError&) {
      ++rejected;
    }
  }
  CHECK(loaded + rejected == 3000);
  CHECK(rejected > 300);
}

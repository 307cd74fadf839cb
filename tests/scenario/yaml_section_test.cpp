// YamlSection: typed reads from one YAML mapping, each failure a ScenarioError
// naming file, 1-based line and column, and the dotted key. Also the pieces it
// is built on: ScenarioError's text, parse_duration and did_you_mean.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario_error.hpp"
#include "sim/scenario/yaml_section.hpp"

using namespace faultline;

namespace {

// Runs `read` on a section over `yaml` (path "net", file "f.yaml") and returns
// the error's what(), or "no error".
template <typename Read>
std::string error_of(const std::string& yaml, Read read) {
  try {
    YamlSection s(YAML::Load(yaml), "net", "f.yaml");
    read(s);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("ScenarioError renders FILE:LINE:COL: KEY: MESSAGE, without LINE:COL when the line is unknown") {
  CHECK(std::string(ScenarioError({"a.yaml", 3, 7}, "network.loss", "too big").what()) ==
        "a.yaml:3:7: network.loss: too big");
  CHECK(std::string(ScenarioError({"--set nodes=0", 0, 0}, "nodes", "must be at least 1").what()) ==
        "--set nodes=0: nodes: must be at least 1");
  CHECK(std::string(ScenarioError({"a.yaml", 1, 1}, "", "empty").what()) == "a.yaml:1:1: empty");
  const ScenarioError e({"b.yaml", 2, 4}, "k", "m");
  CHECK(e.where().file == "b.yaml");
  CHECK(e.key() == "k");
  CHECK(e.message() == "m");
}

TEST_CASE("parse_duration: exact nanoseconds for valid text, nullopt for the rest") {
  struct Case {
    const char* text;
    std::optional<Duration> want;
  };
  const Case cases[] = {
      {"1ns", 1},
      {"1us", kMicrosecond},
      {"1.5ms", 1'500'000},
      {"0.001s", kMillisecond},
      {"3m", 3 * kMinute},
      {"2h", 2 * kHour},
      {"0s", 0},
      {"0ms", 0},
      {"0.0", 0},
      {"1.25us", 1250},
      {"5 sex", std::nullopt},
      {"5sec", std::nullopt},
      {"-1s", std::nullopt},
      {"+1s", std::nullopt},
      {"10", std::nullopt},
      {"1.5.s", std::nullopt},
      {".5s", std::nullopt},
      {"5.s", std::nullopt},
      {"1.0001ns", std::nullopt},  // not a whole number of ns
      {"ms", std::nullopt},
      {"1s ", std::nullopt},
      {"1S", std::nullopt},
      {"99999999999999999999s", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(parse_duration(c.text) == c.want);
  }
}

TEST_CASE("did_you_mean: within two edits (transposition counts one), never for far words") {
  const std::vector<std::string> top = {"name", "protocol", "params", "nodes", "duration", "seed", "network"};
  CHECK(did_you_mean("protocl", top) == "did you mean 'protocol'?");
  CHECK(did_you_mean("porotcol", top) == "did you mean 'protocol'?");  // one transposition + one edit
  CHECK(did_you_mean("nodse", top) == "did you mean 'nodes'?");        // transposition
  CHECK(did_you_mean("durration", top) == "did you mean 'duration'?");
  CHECK(did_you_mean("sed", top) == "did you mean 'seed'?");
  CHECK(did_you_mean("workload", top).empty());
  CHECK(did_you_mean("xyz", top).empty());
  CHECK(did_you_mean("", top).empty());
  CHECK(did_you_mean("loss", {}).empty());
  CHECK(did_you_mean(std::string(500, 'a'), top).empty());  // long input stays cheap
}

TEST_CASE("typed reads return the value, or the fallback when the key is absent or null") {
  YamlSection s(YAML::Load("{d: 150ms, p: 0.25, n: 2.5, i: 42, b: true, t: hello, c: normal, z: ~}"), "net", "f.yaml");
  CHECK(s.duration("d", 0) == 150 * kMillisecond);
  CHECK(s.duration("absent", 7) == 7);
  CHECK(s.probability("p", 0) == 0.25);
  CHECK(s.number("n", 0, 0, 10) == 2.5);
  CHECK(s.integer("i", 0, 1, 100) == 42);
  CHECK(s.flag("b", false));
  CHECK(s.text("t", "") == "hello");
  CHECK(s.choice("c", "uniform", {"uniform", "normal"}) == "normal");
  CHECK(s.text("z", "fallback") == "fallback");
  CHECK_FALSE(s.optional_duration("absent").has_value());
  CHECK(s.has("d"));
  CHECK_FALSE(s.has("absent"));
  CHECK(s.key_path("d") == "net.d");
  CHECK_NOTHROW(s.finish());
}

TEST_CASE("typed reads reject wrong types and ranges with the key's file, line and column") {
  const std::string yaml = "loss: [1]\nlatency: 5 sex\ncount: five\nrate: 10\nflag: maybe\n";
  CHECK(error_of(yaml, [](YamlSection& s) { s.probability("loss", 0); }) ==
        "f.yaml:1:7: net.loss: expected a probability in [0, 1], got a list");
  CHECK(error_of(yaml, [](YamlSection& s) { s.duration("latency", 0); }) ==
        "f.yaml:2:10: net.latency: expected a duration like 150ms, 2s or 1m, got '5 sex'");
  CHECK(error_of(yaml, [](YamlSection& s) { s.integer("count", 1, 1, 10); }) ==
        "f.yaml:3:8: net.count: expected a whole number, got 'five'");
  CHECK(contains(error_of(yaml, [](YamlSection& s) { s.duration("rate", 0); }), "'10' needs a unit"));
  CHECK(contains(error_of(yaml, [](YamlSection& s) { s.integer("rate", 1, 1, 5); }), "must be between 1 and 5, got 10"));
  CHECK(starts_with(error_of(yaml, [](YamlSection& s) { s.flag("flag", false); }), "f.yaml:5:7: net.flag: expected true or false"));
  CHECK(contains(error_of("p: 1.5", [](YamlSection& s) { s.probability("p", 0); }),
                 "expected a probability in [0, 1], got 1.5"));
  CHECK(contains(error_of("p: -0.1", [](YamlSection& s) { s.probability("p", 0); }), "got -0.1"));
  CHECK(contains(error_of("p: .nan", [](YamlSection& s) { s.probability("p", 0); }), "expected a probability"));
  CHECK(contains(error_of("d: 0s", [](YamlSection& s) { s.duration("d", 1); }), "must be longer than zero"));
  CHECK(error_of("d: 0s", [](YamlSection& s) { s.duration("d", 1, true); }) == "no error");
  CHECK(contains(error_of("n: -3", [](YamlSection& s) { s.integer("n", 1, 1, 5); }), "must be at least 1, got -3"));
  CHECK(contains(error_of("c: normall", [](YamlSection& s) { s.choice("c", "", {"uniform", "normal"}); }),
                 "unknown value 'normall'; did you mean 'normal'?; expected one of uniform, normal"));
  CHECK(contains(error_of("m: 5", [](YamlSection& s) { (void)s.section("m"); }), "expected a mapping"));
}

TEST_CASE("finish() names the first unread key, at the key, with a did-you-mean") {
  const std::string yaml = "loss: 0.1\nlos: 0.2\nbandwidth: 10\n";
  CHECK(error_of(yaml, [](YamlSection& s) {
          s.probability("loss", 0);
          s.finish();
        }) == "f.yaml:2:1: net.los: unknown key 'los'; did you mean 'loss'?");
  CHECK(error_of(yaml, [](YamlSection& s) {
          s.probability("loss", 0);
          s.raw("los");
          s.finish();
        }) == "f.yaml:3:1: net.bandwidth: unknown key 'bandwidth'");
}

TEST_CASE("a section must be a mapping — nested sections extend the dotted path") {
  CHECK(starts_with(error_of("", [](YamlSection&) {}), "no error"));  // null reads as empty
  try {
    YamlSection s(YAML::Load("[1, 2]"), "network", "f.yaml");
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(contains(e.what(), "network must be a mapping"));
  }
  YamlSection top(YAML::Load("network:\n  latency:\n    dist: normal\n    mean: x\n"), "", "f.yaml");
  auto net = top.section("network");
  REQUIRE(net.has_value());
  auto lat = net->section("latency");
  REQUIRE(lat.has_value());
  CHECK(lat->path() == "network.latency");
  try {
    lat->duration("mean", 0);
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(e.key() == "network.latency.mean");
    CHECK(e.where().line == 4);
    CHECK(e.where().column == 11);
  }
}

TEST_CASE("a value set by --set is located by its override, not by a file line") {
  const std::map<std::string, std::string> overrides = {{"net.loss", "net.loss=1.5"}};
  YamlSection s(YAML::Load("loss: 1.5\n"), "net", "f.yaml", &overrides);
  try {
    s.probability("loss", 0);
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) == "--set net.loss=1.5: net.loss: expected a probability in [0, 1], got 1.5");
    CHECK(e.where().line == 0);
  }
}

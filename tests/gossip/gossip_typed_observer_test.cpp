// Gossip's checkers and metrics judge from typed state, not from trace
// events, so that renaming or dropping the `informed` event cannot disarm
// one:
// - run with its observer's protocol-event hook silenced (as if every event
//   had been renamed), the gossip observer reports the same violations at
//   the same time for both version mutants, and the same metrics but
//   `removed` (its one metrics-only count of events) on correct runs;
// - what it reads instead, a node's versions_changed(), says which inputs
//   changed a version.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/gossip/dissemination_node.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/recording_host.hpp"
#include "tests/support/same_verdicts.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

// Two versions of key 0 (n0 writes 1 at 0 s, n1 writes 2 at 2 s, while 1 is
// still spreading) and one each of keys 1 and 3, over `params`.
Scenario versions_scenario(const std::string& params) {
  return load_scenario_text(
      "protocol: gossip\nparams: {" + params +
          ", period: 1s, inject: [{at: 0s, node: n0, version: 1}, {at: 2s, node: n1, version: 2}, "
          "{at: 1s, node: n5, key: 1, version: 1}, {at: 3s, node: n7, key: 3, version: 300}]}\n"
          "nodes: 200\nduration: 60s\nnetwork:\n  latency: {dist: uniform, min: 10ms, max: 50ms}\n"
          "stop: {when: all_informed}\n",
      "versions.yaml");
}

void check_same_metrics_but_removed(const RunResult& heard, const RunResult& deaf) {
  for (const auto& [name, metric] : heard.metrics) {
    CAPTURE(name);
    if (name == "removed") continue;
    REQUIRE(deaf.metrics.count(name) == 1);
    CHECK(deaf.metrics.at(name).samples == metric.samples);
  }
}

}  // namespace

TEST_CASE("gossip's version mutants are caught the same with the observer deaf to protocol events") {
  struct Case {
    const char* exchange;
    const char* mutant;
    const char* invariant;
  };
  const Case cases[] = {
      {"push_pull", "last_arrival_wins", "version_monotonic"},
      {"push_pull", "bump_on_reply", "version_was_written"},
      {"pull", "bump_on_reply", "version_was_written"},
  };
  for (const Case& c : cases) {
    const std::string exchange = c.exchange, mutant = c.mutant;
    CAPTURE(exchange);
    CAPTURE(mutant);
    const Scenario s = versions_scenario("exchange: " + exchange + ", fanout: 1, mutant: " + mutant);
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(seed);
      const RunResult heard = run_seed("gossip", s, seed, true);
      REQUIRE(!heard.violations.empty());
      CHECK(heard.violations[0].invariant == c.invariant);
      check_same_verdicts(heard, run_seed("gossip", s, seed, false));
    }
  }
}

TEST_CASE("correct gossip gives the same metrics with the observer deaf to protocol events") {
  std::vector<Scenario> scenarios;
  for (const char* f : {"gossip/push_broadcast.yaml", "gossip/pull_broadcast.yaml", "gossip/crash_restart.yaml"})
    scenarios.push_back(shipped_scenario(f));
  scenarios.push_back(versions_scenario("exchange: push_pull, fanout: 1"));
  // Rumor mongering: the metric left on events, `removed`, has samples.
  scenarios.push_back(versions_scenario("exchange: push, fanout: 2, spread: rumor_mongering"));
  for (const Scenario& s : scenarios) {
    CAPTURE(s.name);
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      CAPTURE(seed);
      const RunResult heard = run_seed("gossip", s, seed, true);
      const RunResult deaf = run_seed("gossip", s, seed, false);
      CHECK(heard.violations.empty());
      check_same_verdicts(heard, deaf);
      check_same_metrics_but_removed(heard, deaf);
      // The observer was armed: it saw the updates reach (nearly) everyone.
      REQUIRE(!deaf.metrics.at("residue").samples.empty());
      CHECK(deaf.metrics.at("rounds_to_informed_mean").samples.size() >= 1);
      CHECK(deaf.stop_reason == heard.stop_reason);
    }
  }
  // The run was deaf: the metric that counts events counted none.
  const Scenario rumor = versions_scenario("exchange: push, fanout: 2, spread: rumor_mongering");
  CHECK(run_seed("gossip", rumor, 1, true).metrics.at("removed").samples.at(0) > 0);
  CHECK(run_seed("gossip", rumor, 1, false).metrics.at("removed").samples.at(0) == 0);
}

TEST_CASE("versions_changed says which inputs changed a version, input by input") {
  gossip::DisseminationParams p;
  p.exchange = gossip::Exchange::kPush;
  p.injections = {gossip::Injection{0, 0, 0, 1}};
  gossip::DisseminationShared shared(p, 4);
  gossip::DisseminationNode node(shared);
  faultline::testing::RecordingHost<gossip::Message> host(0, 4);
  const auto push = [](std::uint16_t key, std::uint32_t version) {
    gossip::Message m;
    m.kind = gossip::Message::Kind::kPush;
    m.count = 1;
    m.items[0] = {key, version};
    return m;
  };
  struct Step {
    const char* input;
    bool changed;
  };
  // Each input, in order, and whether it changed a version.
  const Step steps[] = {
      {"start", false},
      {"inject", true},       // key 0 version 1
      {"round", false},       // pushes what it has
      {"push 0:1", false},    // already held
      {"push 1:5", true},     // news
      {"push 1:5", false},    // now held: cleared at the input's start
      {"push 1:4", false},    // older
      {"push 0:2", true},
      {"round", false},
  };
  for (const Step& step : steps) {
    const std::string input = step.input;
    CAPTURE(input);
    if (input == "start") node.on_start(host);
    else if (input == "inject") node.on_timer(host, gossip::DisseminationNode::kInjectTimer);
    else if (input == "round") node.on_timer(host, gossip::DisseminationNode::kRoundTimer);
    else {
      const auto key = static_cast<std::uint16_t>(input[5] - '0');
      const auto version = static_cast<std::uint32_t>(input[7] - '0');
      node.on_message(host, 2, push(key, version));
    }
    CHECK(node.versions_changed() == step.changed);
  }
  CHECK(node.version(0) == 2);
  CHECK(node.version(1) == 5);
}

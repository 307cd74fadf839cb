// The Paxos checkers judge from typed state, not from trace events, so that
// renaming or dropping an event cannot disarm one:
// - Basic Paxos, run with its observer's protocol-event hook silenced (as if
//   every event had been renamed), reports the same violations at the same
//   time for every mutant, and the same metrics but the three its
//   metrics-only path counts;
// - the Multi-Paxos observer has no protocol-event hook at all;
// - what it reads instead, a node's step_accepts() and inputs(), says what
//   each input accepted, once.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <type_traits>

#include "protocols/paxos/binding/paxos_protocol.hpp"
#include "protocols/paxos/multi_paxos_node.hpp"
#include "tests/support/recording_host.hpp"
#include "tests/support/same_verdicts.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

TEST_CASE("Basic Paxos mutants are caught the same with the observer deaf to protocol events") {
  struct Case {
    const char* mutant;
    const char* scenario;
    std::uint64_t seeds;
  };
  // paxos_sweeps_test.cpp's Basic Paxos mutants, each on a scenario that catches it.
  const Case cases[] = {
      {"accept_below_promise", "paxos/crashes_and_loss.yaml", 100},
      {"accept_below_promise", "paxos/dueling_proposers.yaml", 20},
      {"ignore_accepted_values", "paxos/crashes_and_loss.yaml", 20},
      {"acceptor_not_persisted", "paxos/crashes_and_loss.yaml", 40},
  };
  for (const auto& c : cases) {
    const std::string mutant = c.mutant, scenario = c.scenario;
    CAPTURE(mutant);
    CAPTURE(scenario);
    const Scenario s = shipped_scenario(scenario, {"params.mutant=" + mutant, "expect=[]"});
    std::uint64_t seed = 1;
    RunResult heard;
    for (; seed <= c.seeds; ++seed) {
      heard = run_seed("paxos", s, seed);
      if (!heard.violations.empty()) break;
    }
    REQUIRE_MESSAGE(!heard.violations.empty(), mutant << " not caught in seeds 1.." << c.seeds);
    CAPTURE(seed);
    check_same_verdicts(heard, run_seed("paxos", s, seed, false));
  }
}

TEST_CASE("without protocol events a correct Basic Paxos run gets the same verdicts and every typed metric") {
  for (const std::string file : {"paxos/crashes_and_loss.yaml", "paxos/dueling_proposers.yaml"}) {
    CAPTURE(file);
    const Scenario s = shipped_scenario(file);
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      CAPTURE(seed);
      const RunResult heard = run_seed("paxos", s, seed);
      const RunResult deaf = run_seed("paxos", s, seed, false);
      CHECK(heard.violations.empty());
      check_same_verdicts(heard, deaf);
      // What the metrics-only path counts from events; the rest is typed.
      const std::set<std::string> from_events = {"rounds", "rejections", "time_to_choose_ns"};
      for (const auto& [name, metric] : heard.metrics) {
        CAPTURE(name);
        REQUIRE(deaf.metrics.count(name) == 1);
        if (from_events.count(name)) continue;
        CHECK(deaf.metrics.at(name).samples == metric.samples);
      }
      CHECK(heard.metrics.at("chosen").samples.at(0) == 1);
      CHECK(heard.metrics.at("learned_nodes").samples.at(0) > 0);
      // Silenced, the metrics-only path counts no round.
      CHECK(heard.metrics.at("rounds").samples.at(0) > 0);
      CHECK(deaf.metrics.at("rounds").samples.at(0) == 0);
    }
  }
}

TEST_CASE("the Multi-Paxos observer hears no protocol event: every check and metric reads typed state") {
  // Its on_protocol_event is ObserverBase's empty one.
  CHECK(std::is_same_v<decltype(&MultiPaxosObserver::on_protocol_event), decltype(&ObserverBase::on_protocol_event)>);
  // And it is armed: the leader timeline (read from roles and ballots) and
  // the chosen slots (read from step_accepts()) see the run.
  const RunResult r = run_seed("multipaxos", shipped_scenario("multipaxos/churn.yaml"), 1);
  CHECK(r.violations.empty());
  CHECK(r.metrics.at("elections").samples.at(0) >= 1);
  CHECK(r.metrics.at("leader_changes").samples.at(0) >= 1);
  CHECK(r.metrics.at("chosen_slots").samples.at(0) > 100);
}

TEST_CASE("a Multi-Paxos node's step_accepts() lists what its latest input accepted, and inputs() counts inputs") {
  using namespace faultline::paxos;
  using TestHost = faultline::testing::RecordingHost<MultiMessage, kv::Reply>;
  TestHost host{1, 3};
  MultiParams params;
  MultiPaxosNode node{1, 3, params};
  node.on_start(host);
  CHECK(node.inputs() == 1);
  CHECK(node.step_accepts().empty());
  auto command = [](std::uint64_t sequence) {
    kv::Request r;
    r.client = 1;
    r.sequence = sequence;
    r.kind = kv::OpKind::kPut;
    r.key = "k";
    r.value = std::to_string(sequence);
    return Command{false, r};
  };
  const Ballot leader{1, 0};
  struct Row {
    const char* what;
    MultiAccept accept;
    std::vector<Slot> accepted;
  };
  const Row rows[] = {
      {"three slots", MultiAccept{leader, {{1, command(1)}, {2, command(2)}, {3, Command{}}}, 0}, {1, 2, 3}},
      {"a heartbeat", MultiAccept{leader, {}, 0}, {}},
      // Slots 1 and 2 are chosen too (commit_upto), after they are accepted.
      {"a slot again, then a new one", MultiAccept{leader, {{3, command(3)}, {4, command(4)}}, 2}, {3, 4}},
      {"a lower ballot: refused", MultiAccept{Ballot{0, 2}, {{5, command(5)}}, 0}, {}},
      {"chosen slots are not accepted again", MultiAccept{leader, {{1, command(9)}, {5, command(5)}}, 2}, {5}},
  };
  std::uint64_t inputs = node.inputs();
  for (const Row& row : rows) {
    const std::string what = row.what;
    CAPTURE(what);
    node.on_message(host, 0, MultiMessage{row.accept});
    CHECK(node.inputs() == ++inputs);
    CHECK(node.step_accepts() == row.accepted);
    for (Slot slot : node.step_accepts()) {
      const SlotValue& v = node.acceptor_log()[slot - 1];
      CHECK(v.ballot == row.accept.ballot);
      for (const auto& [s, c] : row.accept.entries)
        if (s == slot) CHECK(command_digest(v.command) == command_digest(c));
    }
  }
  // An input that accepts nothing clears the list.
  node.on_timer(host, MultiPaxosNode::kHeartbeatTimer);
  CHECK(node.inputs() == ++inputs);
  CHECK(node.step_accepts().empty());
}

// Gossip dissemination through the simulator: coverage in about log N rounds
// for each exchange mode, the spec's no-send-back rule, rumor mongering's
// bounded traffic, crashes, and anti-entropy reconciling a healed partition.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "protocols/gossip/binding/gossip_protocol.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/simulations.hpp"

using namespace faultline;
using faultline::test::json_field;
using faultline::test::line_time;
using faultline::test::read_lines;
using faultline::test::select;
using faultline::test::temp_path;

namespace {

std::string scenario_text(const std::string& params, int nodes = 1000, const std::string& extra = "") {
  return "protocol: gossip\nparams: " + params + "\nnodes: " + std::to_string(nodes) +
         "\nduration: 60s\nnetwork:\n  latency: {dist: uniform, min: 10ms, max: 50ms}\nstop: {when: all_informed}\n" + extra;
}

RunResult run(const std::string& text, std::uint64_t seed, const std::string& trace = "") {
  const Scenario s = load_scenario_text(text, "gossip.yaml");
  RunOptions o;
  o.seed = seed;
  o.trace_path = trace;
  return find_protocol("gossip")->run(s, o);
}

double metric(const RunResult& r, const std::string& name) {
  const auto& m = r.metrics.at(name).samples;
  REQUIRE(!m.empty());
  return m[0];
}

double median_rounds(const std::string& params, int nodes) {
  std::vector<double> rounds;
  for (std::uint64_t seed = 1; seed <= 7; ++seed) rounds.push_back(metric(run(scenario_text(params, nodes), seed), "rounds_to_full"));
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

}  // namespace

TEST_CASE("every exchange mode informs every node in about log N rounds") {
  for (const char* mode : {"push", "pull", "push_pull"}) {
    CAPTURE(mode);
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      const RunResult r = run(scenario_text(std::string("{exchange: ") + mode + ", fanout: 3}"), seed);
      CHECK(r.stop_reason == "condition:all_informed");
      CHECK(metric(r, "residue") == 0);
      CHECK(metric(r, "rounds_to_full") <= 12);  // log2(1000) ~ 10; fan-out 3 does better
      CHECK(r.violations.empty());
    }
  }
  // Push-pull converges no slower than push (Demers; Karp et al. 2000).
  CHECK(median_rounds("{exchange: push_pull, fanout: 1}", 2000) <= median_rounds("{exchange: push, fanout: 1}", 2000));
}

TEST_CASE("more fan-out, fewer rounds") {
  CHECK(median_rounds("{exchange: push, fanout: 1}", 2000) > median_rounds("{exchange: push, fanout: 4}", 2000));
}

TEST_CASE("no_send_back: a node never pushes an update back to the node it learned it from") {
  auto sends_back = [](bool rule) {
    const std::string trace = temp_path("gossip.jsonl");
    run(scenario_text(std::string("{exchange: push, fanout: 3, no_send_back: ") + (rule ? "true" : "false") + "}", 40), 5, trace);
    const auto lines = read_lines(trace);
    std::filesystem::remove(trace);
    std::map<std::string, std::string> source;  // node -> the node it learned from
    int back = 0;
    for (const auto& l : lines) {
      const auto kind = json_field(l, "kind");
      if (kind == "informed" && json_field(l, "from") != "-1") source[json_field(l, "node")] = "n" + json_field(l, "from");
      if (kind == "send" && json_field(l, "type") == "push") {
        auto it = source.find(json_field(l, "node"));
        if (it != source.end() && it->second == json_field(l, "to")) ++back;
      }
    }
    return back;
  };
  CHECK(sends_back(false) > 0);  // without the rule it happens
  CHECK(sends_back(true) == 0);
}

TEST_CASE("rumor mongering stops spreading: bounded traffic, some residue") {
  for (const char* removal : {"feedback_counter", "feedback_coin", "blind_counter", "blind_coin"}) {
    CAPTURE(removal);
    const std::string params = std::string("{exchange: push, spread: rumor_mongering, removal: ") + removal +
                               ", removal_k: 2, fanout: 1}";
    const std::string text = "protocol: gossip\nparams: " + params + "\nnodes: 1000\nduration: 60s\n";
    const RunResult r = run(text, 2);
    CHECK(metric(r, "removed") > 500);
    // Once every node is removed nothing is sent, so traffic is finite.
    const RunResult half = run("protocol: gossip\nparams: " + params + "\nnodes: 1000\nduration: 30s\n", 2);
    CHECK(metric(r, "messages_per_node") == metric(half, "messages_per_node"));
    CHECK(metric(r, "residue") < 0.5);
  }
  // Anti-entropy never stops: more time, more messages.
  const RunResult ae60 = run("protocol: gossip\nparams: {fanout: 1}\nnodes: 200\nduration: 60s\n", 2);
  const RunResult ae30 = run("protocol: gossip\nparams: {fanout: 1}\nnodes: 200\nduration: 30s\n", 2);
  CHECK(metric(ae60, "messages_per_node") > 1.8 * metric(ae30, "messages_per_node"));
  CHECK(metric(ae60, "residue") == 0);
}

TEST_CASE("crashes mid-broadcast do not stop it: every live node is informed") {
  const RunResult r = run(scenario_text("{exchange: push, fanout: 3}", 500,
                                        "faults:\n  - {at: 1s, crash: [n1, n2, n3, n4, n5]}\n  - {at: 1500ms, crash: n0}\n"),
                          4);
  CHECK(r.stop_reason == "condition:all_informed");
  CHECK(r.drops_by_reason.at("crashed") > 0);
  CHECK(metric(r, "residue") == 0);
}

TEST_CASE("anti-entropy reconciles both sides of a healed partition") {
  const std::string params =
      "{exchange: push_pull, fanout: 2, inject: [{at: 1s, node: n0, key: 0, version: 1}, {at: 1s, node: n99, key: 1, version: 1}]}";
  const std::string faults = "faults:\n  - at: 0s\n    partition: [[" + [] {
    std::string g;
    for (int i = 0; i < 50; ++i) g += (i ? ", n" : "n") + std::to_string(i);
    return g;
  }() + "]]\n  - {at: 20s, heal: all}\n";
  const RunResult r = run(scenario_text(params, 100, faults), 6);
  // Each key fills its own half during the partition and the other after the heal.
  CHECK(r.stop_reason == "condition:all_informed");
  CHECK(r.virtual_time_ns > 20 * kSecond);
  CHECK(r.metrics.at("time_to_full_ns").samples.size() == 2);
}

TEST_CASE("a restarted node does not replay injections whose time has passed") {
  // n0 injects at 0 s, crashes, restarts: it must learn the update again by
  // gossip (from != -1), and the run must end on all_informed, not duration.
  const RunResult r = run(scenario_text("{exchange: push_pull, fanout: 2, period: 500ms}", 200,
                                        "faults:\n  - {at: 300ms, crash: n0}\n  - {at: 700ms, restart: n0}\n"),
                          1);
  CHECK(r.stop_reason == "condition:all_informed");
  CHECK(metric(r, "residue") == 0);
}

TEST_CASE("stop when quiescent: rumor mongering ends when the last node stops spreading, not at the run's end") {
  // The same run without the stop goes on to its 60 s end (removed nodes'
  // round timers still fire, and send nothing); with it, the run ends at the
  // last event that can change anything: the last delivery or removal. (A
  // blind node removes itself as it pushes, so its last push is still in
  // flight then, and may yet inform someone.)
  for (const char* removal : {"feedback_counter", "blind_coin"}) {
    CAPTURE(removal);
    const std::string body = std::string("protocol: gossip\nparams: {exchange: push, spread: rumor_mongering, removal: ") +
                             removal + ", removal_k: 2, fanout: 1}\nnodes: 500\nduration: 60s\n"
                             "network:\n  latency: {dist: uniform, min: 10ms, max: 50ms}\n";
    const std::string trace = temp_path("gossip.jsonl");
    const RunResult full = run(body, 3, trace);
    const auto lines = read_lines(trace);
    std::filesystem::remove(trace);
    Time last_change = 0;
    for (const auto& l : lines) {
      const auto kind = json_field(l, "kind");
      if (kind == "deliver" || kind == "removed" || kind == "informed") last_change = std::max(last_change, line_time(l));
    }
    const RunResult quiet = run(body + "stop: {when: quiescent}\n", 3);
    CHECK(full.stop_reason == "duration");
    CHECK(full.virtual_time_ns == 60 * kSecond);
    CHECK(quiet.stop_reason == "condition:quiescent");
    CHECK(quiet.virtual_time_ns == last_change);
    CHECK(quiet.virtual_time_ns < 30 * kSecond);
    CHECK(quiet.messages_in_flight == 0);
    // Stopping there loses nothing: the same traffic, residue and removals.
    CHECK(quiet.messages_sent == full.messages_sent);
    CHECK(metric(quiet, "residue") == metric(full, "residue"));
    CHECK(metric(quiet, "removed") == metric(full, "removed"));
  }
}

TEST_CASE("stop when quiescent: not while a fault is still to come, nor while anti-entropy or pull keeps asking") {
  const std::string rumor = "protocol: gossip\nparams: {exchange: push, spread: rumor_mongering, fanout: 1}\nnodes: 200\n"
                            "duration: 60s\nstop: {when: quiescent}\n";
  // A crash scheduled at 40 s could change state: the run waits for it.
  const RunResult with_fault = run(rumor + "faults:\n  - {at: 40s, crash: n7}\n", 1);
  CHECK(with_fault.stop_reason == "condition:quiescent");
  CHECK(with_fault.virtual_time_ns == 40 * kSecond);
  // Anti-entropy spreads for ever, pull asks every round: never quiescent.
  for (const char* p : {"{exchange: push, fanout: 1}", "{exchange: pull, spread: rumor_mongering, fanout: 1}"}) {
    CAPTURE(p);
    const RunResult r = run(std::string("protocol: gossip\nparams: ") + p +
                                "\nnodes: 200\nduration: 60s\nstop: {when: quiescent}\n", 1);
    CHECK(r.stop_reason == "duration");
  }
}

TEST_CASE("gossip node records are 80 bytes from a cache line on") {
  const Scenario s = load_scenario_text(scenario_text("{exchange: push, fanout: 3}", 100000), "gossip.yaml");
  RunOptions o;
  o.seed = 1;
  Simulation<GossipProtocol> sim(s, gossip::DisseminationParams{}, o);
  // The node starts its record (its first 28 bytes are what a delivery
  // that brings nothing reads: shared state, versions, counter). A 36-byte
  // node aligned to 4, its timer generations and status fill the 48 bytes
  // before the random stream: 80 bytes, where an 8-aligned node, 4-byte
  // infective flags and the crash time in the record made 96 (16 MB more
  // at a million nodes).
  static_assert(sizeof(gossip::DisseminationNode) == 36);
  const auto at = [&](NodeId n) { return reinterpret_cast<std::uintptr_t>(&sim.node(n)); };
  for (NodeId n : {NodeId{0}, NodeId{1}, NodeId{2}, NodeId{99999}}) CHECK(at(n) - at(0) == std::uintptr_t{80} * n);
  CHECK(at(0) % 64 == 0);
}

TEST_CASE("a node's infective flags read and write like an array of bools, one bit each, beside an extra flag") {
  gossip::KeyFlags<gossip::kMaxKeys> f;
  CHECK_FALSE(f[0]);
  f[1] = 1;
  f[3] = 1;
  CHECK_FALSE(f[0]);
  CHECK(f[1]);
  CHECK_FALSE(f[2]);
  CHECK(f[3]);
  f[1] = 0;
  CHECK_FALSE(f[1]);
  CHECK(f[3]);
  std::vector<bool> seen;
  for (bool on : f) seen.push_back(on);
  CHECK(seen == std::vector<bool>{false, false, false, true});
  const gossip::KeyFlags<gossip::kMaxKeys>& read = f;
  CHECK(read[3]);
  CHECK_FALSE(read[2]);
  // The extra flag (a node's versions_changed) shares the byte, unseen by
  // the keys' flags and their iteration, and sees none of theirs.
  CHECK_FALSE(f.extra());
  f.set_extra(true);
  CHECK(f.extra());
  seen.clear();
  for (bool on : f) seen.push_back(on);
  CHECK(seen == std::vector<bool>{false, false, false, true});
  f[3] = 0;
  f[0] = 1;
  CHECK(f.extra());
  f.set_extra(false);
  CHECK_FALSE(f.extra());
  CHECK(f[0]);
  CHECK_FALSE(f[3]);
  static_assert(sizeof(gossip::KeyFlags<gossip::kMaxKeys>) == 1);
}

TEST_CASE("a pointer kept in two 32-bit halves gives the same pointer back") {
  gossip::DisseminationShared shared(gossip::DisseminationParams{}, 4);
  const gossip::PointerIn32BitHalves<gossip::DisseminationShared> p(&shared);
  CHECK(p.get() == &shared);
  CHECK(&p->params == &shared.params);
  static_assert(alignof(gossip::PointerIn32BitHalves<gossip::DisseminationShared>) == 4);
}

TEST_CASE("a message of at most one item packs into 64 bits and unpacks to the same message") {
  using gossip::Message;
  for (auto kind : {Message::Kind::kPush, Message::Kind::kPullRequest, Message::Kind::kPullReply,
                    Message::Kind::kPushPull, Message::Kind::kAlreadyHad, Message::Kind::kNews}) {
    for (std::uint8_t count : {0, 1}) {
      CAPTURE(static_cast<int>(kind));
      CAPTURE(static_cast<int>(count));
      Message m;
      m.kind = kind;
      m.count = count;
      if (count == 1) m.items[0] = gossip::Item{3, UINT32_MAX - 1};
      std::uint64_t bits = 0;
      REQUIRE(gossip::pack(m, bits));
      const Message back = gossip::unpack(bits);
      CHECK(back.kind == m.kind);
      CHECK(back.count == m.count);
      for (std::size_t i = 0; i < gossip::kMaxKeys; ++i) {
        CHECK(back.items[i].key == m.items[i].key);
        CHECK(back.items[i].version == m.items[i].version);
      }
    }
  }
  Message two;
  two.count = 2;
  two.items[0] = gossip::Item{0, 1};
  two.items[1] = gossip::Item{1, 1};
  std::uint64_t bits = 0;
  CHECK_FALSE(gossip::pack(two, bits));  // it waits in a full slot
}

TEST_CASE("packed and full in-flight slots deliver alike: two-item pushes beside one-item ones") {
  // Without push on learn every push is a round's, carrying every key the
  // node holds: key 0 alone (a packed slot) until key 1 appears at 1.5 s,
  // then both (a full slot) from the nodes that hold both. Every node must
  // learn both, and every message sent is delivered, dropped or still in
  // flight (the pools' counts).
  const std::string text = scenario_text(
      "{exchange: push, fanout: 3, push_on_learn: false, "
      "inject: [{at: 0s, node: n0, key: 0}, {at: 1500ms, node: n7, key: 1}]}",
      300);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const RunResult r = run(text, seed);
    CHECK(r.stop_reason == "condition:all_informed");
    CHECK(r.metrics.at("residue").samples == std::vector<double>{0, 0});
    CHECK(r.messages_in_flight > 0);
    CHECK(r.messages_delivered + r.messages_dropped + r.messages_in_flight == r.messages_sent);
  }
}

TEST_CASE("a push sent after 78 hours waits in a full slot and is delivered as one sent at 0") {
  // A packed in-flight slot keeps the send time in 48 bits (about 78.2
  // hours of nanoseconds); a later send must wait in a full slot. The
  // delivery check reads the send time: every node but n0 crashes at 79 h
  // and restarts a second later, before n0 learns the update at 80 h, so no
  // push is sent before the restart and none may be dropped as "receiver
  // restarted since the send". A send time cut to 48 bits (80 h becomes
  // about 1.8 h) would drop them all. The run must count as the same run
  // started at 0 without faults: same messages, rounds and times.
  std::string crashed;
  for (int i = 1; i < 20; ++i) crashed += (i > 1 ? ", n" : "n") + std::to_string(i);
  const auto text = [&](const std::string& at, const std::string& duration, const std::string& faults) {
    return "protocol: gossip\nparams: {exchange: push, fanout: 3, inject: [{at: " + at +
           ", node: n0}]}\nnodes: 20\nduration: " + duration +
           "\nnetwork:\n  latency: {dist: uniform, min: 10ms, max: 50ms}\nstop: {when: all_informed}\n" + faults;
  };
  const std::string faults = "faults:\n  - {at: 79h, crash: [" + crashed + "]}\n  - {at: 284401s, restart: [" +
                             crashed + "]}\n";
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const RunResult early = run(text("0s", "1h", ""), seed);
    const RunResult late = run(text("80h", "81h", faults), seed);
    REQUIRE(late.virtual_time_ns > (Time{1} << 48));
    CHECK(late.stop_reason == "condition:all_informed");
    CHECK(late.messages_dropped == 0);
    CHECK(late.messages_sent == early.messages_sent);
    CHECK(late.messages_delivered == early.messages_delivered);
    for (const char* m : {"rounds_to_full", "time_to_full_ns", "redundant_deliveries", "residue"}) {
      CAPTURE(m);
      CHECK(late.metrics.at(m).samples == early.metrics.at(m).samples);
    }
  }
}

namespace {

// A host that records what a node asks of it: calls per question, sends.
struct RecordingHost final : Host<gossip::Message> {
  NodeId n = 10, me = 4;
  Rng stream{42};
  int size_asks = 0, self_asks = 0, rng_asks = 0;
  std::vector<NodeId> sent_to;
  Time now() const override { return 0; }
  NodeId self() const override { return ++const_cast<RecordingHost*>(this)->self_asks, me; }
  NodeId cluster_size() const override { return ++const_cast<RecordingHost*>(this)->size_asks, n; }
  void send(NodeId to, gossip::Message) override { sent_to.push_back(to); }
  void set_timer(TimerSlot, Duration) override {}
  void cancel_timer(TimerSlot) override {}
  Rng& rng() override { return ++rng_asks, stream; }
  DurableStore& storage() override { throw std::logic_error("gossip stores nothing"); }
  void reply(ClientId, std::monostate) override {}
  void emit(std::string_view, std::initializer_list<TraceField>) override {}
};

}  // namespace

TEST_CASE("a push asks the host once for cluster size self and stream and draws each peer as before") {
  gossip::DisseminationParams p;
  p.fanout = 5;
  p.injections = {gossip::Injection{0, 4, 0, 1}};
  gossip::DisseminationShared shared(p, 10);
  gossip::DisseminationNode node(shared);
  RecordingHost host;
  node.on_start(host);
  host.size_asks = host.self_asks = host.rng_asks = 0;
  node.on_timer(host, gossip::DisseminationNode::kInjectTimer);  // learns, pushes to 5 peers
  CHECK(host.size_asks == 1);
  CHECK(host.rng_asks == 1);
  CHECK(host.self_asks <= 2);  // the push's, and the next injection's search
  // The peers: one draw each from the node's stream, uniform over the
  // other nine (a draw at or past self moves up by one).
  Rng same(42);
  std::vector<NodeId> expected;
  for (int i = 0; i < 5; ++i) {
    const auto d = static_cast<NodeId>(same.below(9));
    expected.push_back(d >= 4 ? d + 1 : d);
  }
  CHECK(host.sent_to == expected);
}

TEST_CASE("push deliveries without feedback count every redundant one and feedback runs still answer") {
  // Anti-entropy push: every delivery informs its receiver (each node but
  // the injected one, once) or is counted redundant.
  const RunResult r = run(scenario_text("{exchange: push, fanout: 3}", 500), 3);
  CHECK(r.messages_delivered > 0);
  CHECK(metric(r, "redundant_deliveries") == static_cast<double>(r.messages_delivered - 499));
  // Rumor mongering with feedback: a push that brings nothing is answered.
  const std::string trace = temp_path("gossip-feedback.jsonl");
  run(scenario_text("{exchange: push, fanout: 2, spread: rumor_mongering, removal: feedback_counter}", 200), 3, trace);
  const auto lines = read_lines(trace);
  std::filesystem::remove(trace);
  const auto already_had = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
    return json_field(l, "kind") == "send" && json_field(l, "type") == "already_had";
  });
  CHECK(already_had > 0);
}

TEST_CASE("the version checkers catch their mutants, and correct gossip passes the same runs") {
  // Two versions of key 0: n0 writes 1 at 0 s, n1 writes 2 at 2 s, while 1
  // is still spreading, so nodes holding 2 keep hearing of 1.
  const std::string inject = "inject: [{at: 0s, node: n0, version: 1}, {at: 2s, node: n1, version: 2}]";
  struct Row {
    const char* exchange;
    const char* mutant;
    const char* invariant;  // "" : none broken
  };
  const Row rows[] = {
      {"push_pull", "none", ""},
      {"pull", "none", ""},
      // A pull reply carries only what the asker lacks, so an older version
      // reaches a node only in push-pull's first message.
      {"push_pull", "last_arrival_wins", "version_monotonic"},
      {"push_pull", "bump_on_reply", "version_was_written"},
      {"pull", "bump_on_reply", "version_was_written"},
  };
  for (const Row& row : rows) {
    const std::string exchange = row.exchange, mutant = row.mutant;
    CAPTURE(exchange);
    CAPTURE(mutant);
    const std::string text = scenario_text(
        "{exchange: " + exchange + ", fanout: 1, period: 1s, mutant: " + mutant + ", " + inject + "}", 200);
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      CAPTURE(seed);
      const RunResult r = run(text, seed);
      if (std::string(row.invariant).empty()) {
        CHECK(r.violations.empty());
        CHECK(metric(r, "residue") == 0);  // every node came to hold version 2
      } else {
        CHECK_FALSE(r.violations.empty());
        if (!r.violations.empty()) CHECK(r.violations[0].invariant == row.invariant);
      }
    }
  }
}

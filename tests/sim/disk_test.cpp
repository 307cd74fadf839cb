// A disk with latency (scenario `disk:`): a sync completes later in virtual
// time, what the node sends after it waits for it, and a crash before it
// completes loses both the writes and the held messages. Timer jitter
// (scenario `timers:`) makes timers fire late. Driven by a two-node
// protocol made for this test, whose every action is known.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/observer_base.hpp"
#include "sim/simulation.hpp"
#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;

namespace {

struct Note {
  int value = 0;
};

// n0 writes and syncs at start, and again on a timer 5 ms later; n1
// records when each note arrives. Timeline of n0 (first life only):
//   t=0:   write v, sync 1, send 1; write w, sync 2, send 2; timer in 5 ms
//   timer: send 3 (behind sync 2); write x, sync 3, send 4 (behind sync 3)
class JournalNode {
 public:
  using HostT = Host<Note>;
  static constexpr TimerSlot kTimerSlots = 1;
  JournalNode(NodeId self, NodeId, const std::monostate&) : self_(self) {}

  void on_start(HostT& host) {
    recovered = {host.storage().read("v"), host.storage().read("w"), host.storage().read("x")};
    if (self_ != 0 || host.now() != 0) return;
    host.storage().write("v", "1");
    host.storage().sync();
    host.send(1, Note{1});
    host.storage().write("w", "2");
    host.storage().sync();
    host.send(1, Note{2});
    host.set_timer(0, 5 * kMillisecond);
  }
  void on_message(HostT& host, NodeId, const Note& n) { received.emplace_back(host.now(), n.value); }
  void on_timer(HostT& host, TimerSlot) {
    timer_fired_at = host.now();
    host.send(1, Note{3});
    host.storage().write("x", "3");
    host.storage().sync();
    host.send(1, Note{4});
  }

  std::vector<std::optional<std::string>> recovered;  // v, w, x as read at the latest start
  std::vector<std::pair<Time, int>> received;
  Time timer_fired_at = -1;

 private:
  NodeId self_;
};

struct JournalProtocol;
struct JournalObserver : ObserverBase {
  JournalObserver(const Scenario&, const std::monostate&, Simulation<JournalProtocol>&) {}
};
struct JournalProtocol {
  using Node = JournalNode;
  using Message = Note;
  using Reply = std::monostate;
  using Params = std::monostate;
  using Observer = JournalObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message&) { return "note"; }
  template <class F>
  static void message_fields(const Message&, F&&) {}  // a note carries nothing worth tracing
  static std::uint32_t message_bytes(const Message&) { return 8; }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

LatencySpec constant(Duration d) {
  LatencySpec l;
  l.kind = LatencySpec::Kind::kConstant;
  l.value = d;
  return l;
}

Scenario journal_scenario() {
  Scenario s;
  s.name = "journal";
  s.path = "journal.yaml";
  s.protocol = "journal";
  s.nodes = 2;
  s.duration = 1 * kSecond;
  s.network.defaults.latency = constant(1 * kMillisecond);
  return s;
}

Scenario with_disk(Duration sync) {
  Scenario s = journal_scenario();
  s.disk.enabled = true;
  s.disk.sync = constant(sync);
  return s;
}

struct Outcome {
  std::vector<std::pair<Time, int>> received;  // at n1
  std::vector<std::optional<std::string>> recovered;  // at n0's latest start
  Time timer_fired_at;
  std::vector<std::string> lines;  // the trace
  std::uint64_t trace_hash;
};

Outcome run_journal(const Scenario& s, std::uint64_t seed = 1) {
  RunOptions options;
  options.seed = seed;
  options.trace_path = test::temp_path("disk.jsonl");
  Simulation<JournalProtocol> sim(s, std::monostate{}, options);
  const RunResult r = sim.run();
  Outcome out{sim.node(1).received, sim.node(0).recovered, sim.node(0).timer_fired_at,
              test::read_lines(options.trace_path), r.trace_hash};
  std::filesystem::remove(options.trace_path);
  return out;
}

using Arrivals = std::vector<std::pair<Time, int>>;
constexpr Duration ms = kMillisecond;

}  // namespace

TEST_CASE("without a disk a sync is instant and messages leave when sent") {
  const Outcome o = run_journal(journal_scenario());
  CHECK(o.received == Arrivals{{1 * ms, 1}, {1 * ms, 2}, {6 * ms, 3}, {6 * ms, 4}});
  CHECK(test::select(o.lines, "sync").empty());  // no disk, no disk events
}

TEST_CASE("a sync with latency holds what is sent after it until it completes") {
  const Outcome o = run_journal(with_disk(20 * ms));
  // Syncs 1 and 2 begin at 0 and complete at 20 ms: notes 1 and 2 leave then.
  // The node went on meanwhile: its timer fired at 5 ms, and note 3 (sent
  // while sync 2 was outstanding) waits for sync 2; note 4 follows sync 3,
  // begun at 5 ms, done at 25 ms.
  CHECK(o.timer_fired_at == 5 * ms);
  CHECK(o.received == Arrivals{{21 * ms, 1}, {21 * ms, 2}, {21 * ms, 3}, {26 * ms, 4}});
  const auto syncs = test::select(o.lines, "sync", {{"node", "n0"}});
  REQUIRE(syncs.size() == 3);
  CHECK(test::json_field(syncs[2], "done_at") == std::to_string(25 * ms));
  CHECK(test::select(o.lines, "synced").size() == 3);
  // The sends are traced when they leave, not when the node made them.
  for (const auto& send : test::select(o.lines, "send")) CHECK(test::line_time(send) >= 20 * ms);
}

TEST_CASE("syncs of one node complete in the order they began") {
  // From 1 ms, n0's syncs take a twentieth of their 20 ms: sync 3, begun at
  // 5 ms, alone would be done at 6 ms, but it cannot overtake sync 2 (due at
  // 20 ms), so note 4 still waits for 20 ms. (The loader allows factors of 1
  // and more only; the engine takes any.)
  Scenario s = with_disk(20 * ms);
  FaultEvent fast = test::fault(FaultEvent::Kind::kSlowDisk, 1 * ms, {0});
  fast.disk_factor_permille = 50;
  s.faults.push_back(fast);
  CHECK(run_journal(s).received == Arrivals{{21 * ms, 1}, {21 * ms, 2}, {21 * ms, 3}, {21 * ms, 4}});
}

TEST_CASE("a per-node disk override applies to that node only") {
  Scenario s = with_disk(1 * ms);
  s.disk.nodes.push_back({{0}, constant(20 * ms), {}});
  CHECK(run_journal(s).received == Arrivals{{21 * ms, 1}, {21 * ms, 2}, {21 * ms, 3}, {26 * ms, 4}});
  // n0 back at 1 ms (a later override wins): notes 1 and 2 wait 1 ms; note 3,
  // sent with no sync outstanding, leaves at once.
  s.disk.nodes.push_back({{0}, constant(1 * ms), {}});
  CHECK(run_journal(s).received == Arrivals{{2 * ms, 1}, {2 * ms, 2}, {6 * ms, 3}, {7 * ms, 4}});
}

TEST_CASE("a crash before a sync completes loses its writes and the messages held behind it") {
  Scenario s = with_disk(20 * ms);
  s.faults.push_back(test::fault(FaultEvent::Kind::kCrash, 10 * ms, {0}));
  s.faults.push_back(test::fault(FaultEvent::Kind::kRestart, 100 * ms, {0}));
  const Outcome o = run_journal(s);
  CHECK(o.received.empty());  // notes 1 to 3 were held, never sent
  CHECK(o.recovered == std::vector<std::optional<std::string>>{std::nullopt, std::nullopt, std::nullopt});
  const auto lost = test::select(o.lines, "sync_lost", {{"node", "n0"}});
  REQUIRE(lost.size() == 1);
  CHECK(test::json_field(lost[0], "syncs") == "3");
  CHECK(test::json_field(lost[0], "held") == "4");
  CHECK(test::select(o.lines, "synced").empty());  // the completions that were due at 20 and 25 ms are void

  // Crashing at 22 ms instead: syncs 1 and 2 have completed (v and w are
  // durable, notes 1 to 3 are out), sync 3 has not (x is lost, note 4 too).
  s.faults[0].at = 22 * ms;
  const Outcome later = run_journal(s);
  CHECK(later.received == Arrivals{{21 * ms, 1}, {21 * ms, 2}, {21 * ms, 3}});
  CHECK(later.recovered ==
        std::vector<std::optional<std::string>>{std::string("1"), std::string("2"), std::nullopt});
}

TEST_CASE("a node paused when its sync completes sends what it held on resume") {
  Scenario s = with_disk(20 * ms);
  s.faults.push_back(test::fault(FaultEvent::Kind::kPause, 2 * ms, {0}));
  s.faults.push_back(test::fault(FaultEvent::Kind::kResume, 40 * ms, {0}));
  const Outcome o = run_journal(s);
  // Durable at 20 ms (traced then), sent at 40 ms; the timer due at 5 ms
  // fires on resume and its sync takes 20 ms from there.
  CHECK(test::line_time(test::select(o.lines, "synced").at(0)) == 20 * ms);
  CHECK(o.received == Arrivals{{41 * ms, 1}, {41 * ms, 2}, {41 * ms, 3}, {61 * ms, 4}});
}

TEST_CASE("slow_disk multiplies the latency of syncs begun while it lasts") {
  Scenario s = with_disk(20 * ms);
  FaultEvent slow = test::fault(FaultEvent::Kind::kSlowDisk, 1 * ms, {0});
  slow.disk_factor_permille = 3000;
  s.faults.push_back(slow);
  // Syncs 1 and 2 (begun at 0) keep their 20 ms; sync 3, begun at 5 ms, takes 60.
  CHECK(run_journal(s).received == Arrivals{{21 * ms, 1}, {21 * ms, 2}, {21 * ms, 3}, {66 * ms, 4}});
  // Back to normal at 4 ms: sync 3 takes 20 ms again.
  FaultEvent end = slow;
  end.at = 4 * ms;
  end.disk_factor_permille = 1000;
  s.faults.push_back(end);
  CHECK(run_journal(s).received == Arrivals{{21 * ms, 1}, {21 * ms, 2}, {21 * ms, 3}, {26 * ms, 4}});
}

TEST_CASE("a zero-latency disk behaves as no disk and draws from no other stream") {
  // Same arrivals; only the disk's own trace lines differ.
  const Outcome none = run_journal(journal_scenario());
  const Outcome zero = run_journal(with_disk(0));
  CHECK(zero.received == none.received);
  CHECK(test::select(zero.lines, "sync").size() == 3);
  CHECK(zero.trace_hash != none.trace_hash);
}

TEST_CASE("timer jitter makes a timer fire late by a draw from the node's own stream") {
  Scenario s = journal_scenario();
  s.timers.enabled = true;
  s.timers.jitter = constant(2 * ms);
  CHECK(run_journal(s).timer_fired_at == 7 * ms);
  // A per-node override: n0's timers exact again.
  s.timers.nodes.push_back({{0}, constant(0), {}});
  CHECK(run_journal(s).timer_fired_at == 5 * ms);
  // Uniform jitter: late by at most the bound, and the amount depends on the seed.
  s.timers.nodes.clear();
  s.timers.jitter.kind = LatencySpec::Kind::kUniform;
  s.timers.jitter.min = 0;
  s.timers.jitter.max = 2 * ms;
  std::vector<Time> fired;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Time t = run_journal(s, seed).timer_fired_at;
    CHECK(t >= 5 * ms);
    CHECK(t <= 7 * ms);
    fired.push_back(t);
  }
  std::sort(fired.begin(), fired.end());
  CHECK(std::unique(fired.begin(), fired.end()) - fired.begin() >= 5);
}

// The heartbeat detector as a plain state machine, driven by hand through a
// recording host: no simulator involved, which is what makes it runnable over
// real sockets with another Host.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "protocols/heartbeat/heartbeat_node.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;
using namespace faultline::heartbeat;

namespace {

using RecordingHost = faultline::testing::RecordingHost<Message>;

bool has_event(const RecordingHost& h, const std::string& kind, std::int64_t first) {
  for (const auto& e : h.events)
    if (e.first == kind && e.second == first) return true;
  return false;
}

}  // namespace

TEST_CASE("start persists the incarnation before any heartbeat leaves") {
  RecordingHost host(0, 3);
  HeartbeatNode node(0, 3, Params{});
  node.on_start(host);
  CHECK(host.store.read("incarnation") == "1");
  CHECK(host.store.unsynced() == 0);
  REQUIRE(host.timers.count(HeartbeatNode::kTickTimer) == 1);
  CHECK(host.timers[HeartbeatNode::kTickTimer] <= 100 * kMillisecond);  // first tick within one interval
  host.now_ = host.timers[HeartbeatNode::kTickTimer];
  node.on_timer(host, HeartbeatNode::kTickTimer);
  REQUIRE(host.sent.size() == 2);  // one per peer, never to itself
  CHECK(host.sent[0].first == 1);
  CHECK(host.sent[1].first == 2);
  CHECK(host.sent[0].second.incarnation == 1);
  CHECK(host.syncs_at_send[0] >= 1);
}

TEST_CASE("a restarted node comes back with the next incarnation — without sync it reuses the old one") {
  RecordingHost host(0, 2);
  {
    HeartbeatNode first(0, 2, Params{});
    first.on_start(host);
  }
  host.store.crash();
  HeartbeatNode second(0, 2, Params{});
  second.on_start(host);
  CHECK(second.incarnation() == 2);

  RecordingHost careless(0, 2);
  Params skip;
  skip.skip_sync = true;
  HeartbeatNode a(0, 2, skip);
  a.on_start(careless);
  careless.store.crash();  // the unsynced write is gone
  HeartbeatNode b(0, 2, skip);
  b.on_start(careless);
  CHECK(b.incarnation() == 1);
}

TEST_CASE("silence longer than the timeout makes a suspicion — the next heartbeat ends it") {
  RecordingHost host(0, 3);
  Params p;  // interval 100ms, timeout 500ms
  HeartbeatNode node(0, 3, p);
  node.on_start(host);
  // n1 keeps talking, n2 never does.
  for (Time t = 100 * kMillisecond; t <= 700 * kMillisecond; t += 100 * kMillisecond) {
    host.now_ = t;
    node.on_message(host, 1, Message{1, static_cast<std::uint64_t>(t / kMillisecond)});
    node.on_timer(host, HeartbeatNode::kTickTimer);
  }
  CHECK_FALSE(node.suspects(1));
  CHECK(node.suspects(2));
  CHECK(has_event(host, "suspect", 2));
  CHECK_FALSE(has_event(host, "suspect", 1));
  host.now_ = 750 * kMillisecond;
  node.on_message(host, 2, Message{1, 1});
  CHECK_FALSE(node.suspects(2));
  CHECK(has_event(host, "trust", 2));
}

TEST_CASE("a heartbeat from an earlier life is ignored — a higher incarnation is a restart") {
  RecordingHost host(0, 2);
  HeartbeatNode node(0, 2, Params{});
  node.on_start(host);
  node.on_message(host, 1, Message{2, 5});
  CHECK_FALSE(has_event(host, "restarted", 1));  // the first incarnation heard is no restart
  host.now_ = 600 * kMillisecond;
  node.on_message(host, 1, Message{1, 9});  // delayed, from incarnation 1
  node.on_timer(host, HeartbeatNode::kTickTimer);
  CHECK(node.suspects(1));  // the stale heartbeat did not count as a sign of life
  node.on_message(host, 1, Message{3, 1});
  CHECK(has_event(host, "restarted", 1));
  CHECK_FALSE(node.suspects(1));
}

TEST_CASE("suspicion_changes() counts every suspicion begun or ended, and restarts_noticed() every restart seen") {
  RecordingHost host(0, 4);
  HeartbeatNode node(0, 4, Params{});  // interval 100ms, timeout 500ms
  node.on_start(host);
  CHECK(node.suspicion_changes() == 0);
  struct Step {
    const char* what;
    Time at;
    NodeId from;  // a heartbeat from this peer (incarnation `incarnation`), or kNoNode: a tick
    std::uint64_t incarnation;
    std::uint16_t suspicion_changes;  // after the step
    std::vector<NodeId> suspected;    // after the step
    std::uint16_t restarts_noticed;
  };
  const Step steps[] = {
      {"n1 speaks", 400 * kMillisecond, 1, 1, 0, {}, 0},
      {"a tick: n2 and n3 silent for 600 ms", 600 * kMillisecond, kNoNode, 0, 2, {2, 3}, 0},
      {"a tick: nothing new", 700 * kMillisecond, kNoNode, 0, 2, {2, 3}, 0},
      {"n3 speaks again", 750 * kMillisecond, 3, 1, 3, {2}, 0},
      {"n3 again: no change", 760 * kMillisecond, 3, 1, 3, {2}, 0},
      {"n1, restarted, speaks", 800 * kMillisecond, 1, 2, 3, {2}, 1},
      {"a tick: n1 silent for 510 ms, n3 for 550 ms, n2 still suspected", 1310 * kMillisecond, kNoNode, 0, 5, {1, 2, 3}, 1},
      {"n2 speaks at last: no longer suspected", 1350 * kMillisecond, 2, 2, 6, {1, 3}, 1},
  };
  for (const Step& step : steps) {
    const std::string what = step.what;
    CAPTURE(what);
    host.now_ = step.at;
    if (step.from == kNoNode) node.on_timer(host, HeartbeatNode::kTickTimer);
    else node.on_message(host, step.from, Message{step.incarnation, 1});
    CHECK(node.suspicion_changes() == step.suspicion_changes);
    std::vector<NodeId> suspected;
    for (NodeId p = 1; p < 4; ++p)
      if (node.suspects(p)) suspected.push_back(p);
    CHECK(suspected == step.suspected);
    CHECK(node.restarts_noticed() == step.restarts_noticed);
  }
  // n2's incarnation 2 is the first heard from it: no restart noticed.
  CHECK(node.restarts_noticed() == 1);
}

// A new Multi-Paxos leader's phase 2, driven by hand (no simulator): once a
// majority has promised, the leader sends every open slot to every acceptor
// at once, in Accepts of at most max_entries_per_accept entries (Paxos Made
// Simple, section 3), not one Accept's worth per heartbeat. And the swarm
// seeds of multipaxos/churn.yaml that lost all progress while it did.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "protocols/paxos/multi_paxos_node.hpp"
#include "tests/support/recording_host.hpp"
#include "tests/support/run_binary.hpp"

using namespace faultline;
using namespace faultline::paxos;
using TestHost = faultline::testing::RecordingHost<MultiMessage, kv::Reply>;

namespace {

// Node 0 of 3 stands for election and gets node 1's promise, which reports
// `open` slots accepted in an earlier ballot: with its own vote, a majority.
// Returns what it sent after the promise.
std::vector<std::pair<NodeId, MultiMessage>> elected_with_open_slots(std::uint32_t max_entries, Slot open) {
  MultiParams params;
  params.max_entries_per_accept = max_entries;
  TestHost host{0, 3};
  MultiPaxosNode node{0, 3, params};
  node.on_start(host);
  // Phase 1, twice (the first gets no answer): Prepares to nodes 1 and 2 in
  // a ballot of round 2, above the round-1 ballot node 1 reports accepting in.
  node.on_timer(host, MultiPaxosNode::kElectionTimer);
  node.on_timer(host, MultiPaxosNode::kElectionTimer);
  REQUIRE(host.sent.size() == 4);
  const Ballot ours = std::get<MultiPrepare>(host.sent[2].second).ballot;
  REQUIRE(ours > Ballot{1, 1});
  MultiPromise promise{ours, true, ours, {}};
  for (Slot s = 1; s <= open; ++s) {
    kv::Request r;
    r.client = 1;
    r.sequence = s;
    r.kind = kv::OpKind::kPut;
    r.key = "k";
    r.value = std::to_string(s);
    promise.accepted.push_back(SlotValue{s, Ballot{1, 1}, false, Command{false, r}});
  }
  host.sent.clear();
  node.on_message(host, 1, promise);
  return host.sent;
}

}  // namespace

TEST_CASE("a new Multi-Paxos leader sends every open slot to every acceptor at once, in Accepts of at most max_entries_per_accept") {
  struct Row {
    std::uint32_t max_entries;
    Slot open;
    std::size_t accepts_each;  // Accepts per acceptor, a heartbeat included when nothing is open
  };
  const Row rows[] = {
      {64, 0, 1}, {64, 3, 1},  {64, 64, 1},   {64, 130, 3},  // the default: the common case is one Accept
      {4, 12, 3}, {4, 13, 4},  {1, 1, 1},     {1, 300, 300},  // one entry an Accept: the recovery swarm lost
  };
  for (const Row& row : rows) {
    CAPTURE(row.max_entries);
    CAPTURE(row.open);
    const auto sent = elected_with_open_slots(row.max_entries, row.open);
    std::map<NodeId, std::size_t> accepts;
    std::map<NodeId, std::multiset<Slot>> slots;
    for (const auto& [to, m] : sent) {
      const auto* a = std::get_if<MultiAccept>(&m);
      if (a == nullptr) continue;
      ++accepts[to];
      CHECK(a->entries.size() <= row.max_entries);
      Slot previous = 0;
      for (const auto& [slot, command] : a->entries) {
        CHECK(slot > previous);  // in slot order
        previous = slot;
        slots[to].insert(slot);
        CHECK_FALSE(command.noop);  // the reported value, re-proposed
      }
    }
    for (NodeId acceptor : {NodeId{1}, NodeId{2}}) {
      CAPTURE(acceptor);
      CHECK(accepts[acceptor] == row.accepts_each);
      // Every open slot exactly once: 1 .. open.
      CHECK(slots[acceptor].size() == row.open);
      for (Slot s = 1; s <= row.open; ++s) CHECK(slots[acceptor].count(s) == 1);
    }
  }
}

// Swarm seeds of multipaxos/churn.yaml (one entry an Accept, hundreds of
// slots left open by leader changes) on which the cluster answered nothing
// in its liveness phase while a new leader re-sent one open slot per
// heartbeat or answer: 139, 365, 475, 1269 of 1..1500; 301874 of
// 300001..302000 (its last answer at 4.87 s of 30 s, while 552 slots were
// chosen). Now each leader's recovery takes a round trip.
TEST_CASE("swarm seeds of multipaxos/churn.yaml that lost all progress after the faults healed now make it") {
  for (const std::string seed : {"139", "365", "475", "1269", "301874"}) {
    CAPTURE(seed);
    const auto r = faultline::test::run_binary("swarm scenarios/multipaxos/churn.yaml --seeds " + seed +
                                               ".." + seed + " --jobs 1");
    CHECK(r.code == 0);
    CHECK(r.out.find("runs       1, 0 failed: 0 safety, 0 liveness") != std::string::npos);
  }
}

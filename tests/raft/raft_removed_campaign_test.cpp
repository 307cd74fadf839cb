// A server removed by a configuration not yet known committed still stands
// for election (Ongaro's thesis 4.2.2), on one Raft node driven by hand:
// "a server that is not part of its own latest configuration should still
// start new elections, as it might still be needed until the C_new entry is
// committed. It does not count its own vote in elections unless it is part
// of its latest configuration." Swarm found the run that needs it on
// raft/membership.yaml seed 600534: the leader n1 appended its own removal,
// was isolated and crashed before committing it, and the one other member,
// n2, with a shorter log, could never win n1's vote, while n1 never stood
// again: no leader for the last 17 s. Such a server asks for pre-votes
// first (thesis 9.6) whatever params.pre_vote says, so that one whose
// removal committed without its knowing does not disturb a live leader;
// the leader answers its pre-vote with AppendEntries, which tell it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/raft/raft_node.hpp"
#include "tests/support/recording_host.hpp"
#include "tests/support/run_binary.hpp"

using namespace faultline;
using namespace faultline::raft;

namespace {

using TestHost = testing::RecordingHost<Message, kv::Reply>;

kv::Request remove_server(NodeId server) {
  kv::Request r;
  r.client = 9;
  r.sequence = 1;
  r.kind = kv::OpKind::kRemoveServer;
  r.server = server;
  return r;
}

// Node 0 of three (all in the first configuration), started, given by
// leader 1 of term 1 its no-op and the entry removing node 0, with
// `leader_commit`.
void told_of_removal(TestHost& host, RaftNode& node, Index leader_commit) {
  node.on_start(host);
  node.on_message(host, 1, AppendEntries{1, 0, 0, std::vector<Entry>{Entry{1, true}, Entry{1, false, remove_server(0)}},
                                         leader_commit, 1});
  REQUIRE(node.log().last_index() == 2);
  REQUIRE_FALSE(node.members()[0]);
  REQUIRE(node.commit_index() == leader_commit);
}

// The servers sent a RequestVote (pre-votes if `pre_vote`, else real ones) since `from`, in order.
std::vector<NodeId> vote_requests(const TestHost& host, std::size_t from, bool pre_vote) {
  std::vector<NodeId> to;
  for (std::size_t k = from; k < host.sent.size(); ++k)
    if (const auto* v = std::get_if<RequestVote>(&host.sent[k].second); v && v->pre_vote == pre_vote)
      to.push_back(host.sent[k].first);
  return to;
}

// Any RequestVote, pre or real, sent since `from`.
bool asked_for_votes(const TestHost& host, std::size_t from) {
  return !vote_requests(host, from, true).empty() || !vote_requests(host, from, false).empty();
}

// AppendEntries sent to `to` since `from`.
bool appended_to(const TestHost& host, std::size_t from, NodeId to) {
  for (std::size_t k = from; k < host.sent.size(); ++k)
    if (host.sent[k].first == to && std::holds_alternative<AppendEntries>(host.sent[k].second)) return true;
  return false;
}

}  // namespace

TEST_CASE("a server whose removal is not known committed stands for election, and one whose removal is, does not") {
  struct Row {
    const char* what;
    Index leader_commit;  // what the leader's AppendEntries says is committed (entry 2 removes server 0)
    std::vector<NodeId> asked;  // whom server 0 asks for pre-votes when its election timer fires
  };
  const Row rows[] = {
      {"the removal is not known committed", 1, {1, 2}},
      {"the removal is committed", 2, {}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    Params params;
    TestHost host{0, 3};
    RaftNode node{0, 3, params};
    told_of_removal(host, node, row.leader_commit);
    const std::size_t before = host.sent.size();
    node.on_timer(host, RaftNode::kElectionTimer);
    CHECK(vote_requests(host, before, true) == row.asked);  // params.pre_vote is off: pre-votes all the same
    CHECK(vote_requests(host, before, false).empty());
    CHECK(node.role() == Role::kFollower);
    CHECK(node.current_term() == 1);
  }
}

TEST_CASE("a removed candidate does not count its own vote, leads with a majority of the new configuration, and steps down once its removal commits") {
  Params params;
  TestHost host{0, 3};
  RaftNode node{0, 3, params};
  told_of_removal(host, node, 1);
  node.on_timer(host, RaftNode::kElectionTimer);
  // Pre-votes first: its own and server 1's are two of three marks, but one of the two members of {1, 2}.
  node.on_message(host, 1, VoteReply{1, true, true});
  CHECK(node.role() == Role::kFollower);
  std::size_t before = host.sent.size();
  node.on_message(host, 2, VoteReply{1, true, true});
  REQUIRE(node.role() == Role::kCandidate);
  CHECK(node.current_term() == 2);
  CHECK(vote_requests(host, before, false) == std::vector<NodeId>{1, 2});
  // The same for the votes of term 2.
  node.on_message(host, 1, VoteReply{2, true, false});
  CHECK(node.role() == Role::kCandidate);
  node.on_message(host, 2, VoteReply{2, true, false});
  REQUIRE(node.role() == Role::kLeader);
  // Its no-op (entry 3) replicated on both members commits the removal too (thesis 4.2.2): it steps down.
  node.on_message(host, 1, AppendReply{2, true, 3, 0, 0, 1});
  CHECK(node.role() == Role::kLeader);  // one of two members
  node.on_message(host, 2, AppendReply{2, true, 3, 0, 0, 1});
  CHECK(node.commit_index() == 3);
  CHECK(node.role() == Role::kFollower);
  // Now its removal is committed: it stays quiet.
  before = host.sent.size();
  node.on_timer(host, RaftNode::kElectionTimer);
  CHECK_FALSE(asked_for_votes(host, before));
}

TEST_CASE("a server that applied its own removal stays quiet after a restart, though its commit index is volatile") {
  Params params;
  TestHost host{0, 3};
  {
    RaftNode node{0, 3, params};
    told_of_removal(host, node, 2);
  }
  RaftNode restarted{0, 3, params};  // the same storage: a crash and restart
  restarted.on_start(host);
  REQUIRE(restarted.log().last_index() == 2);
  REQUIRE(restarted.commit_index() == 0);
  const std::size_t before = host.sent.size();
  restarted.on_timer(host, RaftNode::kElectionTimer);
  CHECK_FALSE(asked_for_votes(host, before));
  CHECK(restarted.current_term() == 1);
}

TEST_CASE("a leader answers a pre-vote from a server outside its configuration with AppendEntries, not a vote of a higher term") {
  Params params;
  TestHost host{0, 3};
  RaftNode node{0, 3, params};
  node.on_start(host);
  node.on_timer(host, RaftNode::kElectionTimer);
  node.on_message(host, 1, VoteReply{1, true, false});
  REQUIRE(node.role() == Role::kLeader);
  node.on_message(host, 1, AppendReply{1, true, 1, 0, 0, 1});
  node.on_client_request(host, 9, remove_server(2));
  node.on_message(host, 1, AppendReply{1, true, 2, 0, 0, 2});
  REQUIRE(node.commit_index() == 2);  // server 1 alone is the majority of {0, 1}
  struct Row {
    const char* what;
    NodeId from;
    RequestVote request;
    bool told;
  };
  const Row rows[] = {
      {"a pre-vote from the removed server, of the term after ours", 2, RequestVote{2, 2, 1, true}, true},
      {"a vote from the removed server, of our term", 2, RequestVote{1, 2, 1, false}, true},
      {"a vote from the removed server, of a higher term (its refusal of our AppendEntries would depose us)", 2,
       RequestVote{3, 2, 1, false}, false},
      {"a pre-vote from a member", 1, RequestVote{2, 2, 1, true}, false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    const std::size_t before = host.sent.size();
    node.on_message(host, row.from, row.request);
    CHECK(appended_to(host, before, row.from) == row.told);
    CHECK(node.role() == Role::kLeader);
    CHECK(node.current_term() == 1);
  }
}

TEST_CASE("a server waiting to be added does not stand for election") {
  Params params;
  params.initial_members = 3;
  TestHost host{3, 4};
  RaftNode node{3, 4, params};
  node.on_start(host);
  const std::size_t before = host.sent.size();
  node.on_timer(host, RaftNode::kElectionTimer);
  CHECK_FALSE(asked_for_votes(host, before));
  CHECK(node.role() == Role::kFollower);
  CHECK(node.current_term() == 0);
}

TEST_CASE("swarm seed 600534 of raft/membership.yaml elects a leader again once the faults stop") {
  const auto r = faultline::test::run_binary("swarm scenarios/raft/membership.yaml --seeds 600534..600534 --jobs 1");
  CHECK(r.out.find("runs       1, 0 failed") != std::string::npos);
}

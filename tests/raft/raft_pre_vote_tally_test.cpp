// PreVote (thesis 9.6) keeps its tally apart from the votes of a term, on
// one Raft node driven by hand. A candidate of term 1 whose election timed
// out asks for pre-votes again while it is still a candidate of term 1; a
// vote of term 1 arriving late must not count towards the pre-vote round,
// nor a pre-vote towards term 1. Swarm found the mix on
// raft/flapping_link.yaml seed 300930: n0 led term 2 with its own vote, one
// pre-vote and one late vote, while n2 led term 2 with three real votes
// (election_safety).
#include <doctest/doctest.h>

#include <string>

#include "protocols/raft/raft_node.hpp"
#include "tests/support/recording_host.hpp"
#include "tests/support/run_binary.hpp"

using namespace faultline;
using namespace faultline::raft;

namespace {

using Host = testing::RecordingHost<Message, kv::Reply>;

// Node 0 of five with PreVote: its pre-votes granted by nodes 1 and 2 (at
// term 0), it stands in term 1 and asks everyone for votes.
struct Candidate {
  Params params;
  Host host{0, 5};
  RaftNode node{0, 5, params};

  Candidate() {
    params.pre_vote = true;
    node.on_start(host);
    node.on_timer(host, RaftNode::kElectionTimer);  // pre-vote round for term 1
    node.on_message(host, 1, VoteReply{0, true, true});
    node.on_message(host, 2, VoteReply{0, true, true});
    REQUIRE(node.role() == Role::kCandidate);
    REQUIRE(node.current_term() == 1);
  }
};

}  // namespace

TEST_CASE("a late vote of the candidate's term does not join a new pre-vote round, nor a pre-vote its term") {
  struct Row {
    const char* what;
    bool pre_vote_first;  // a pre-vote grant of the new round arrives before the late vote
  };
  for (const Row row : {Row{"pre-vote, then the late vote", true}, Row{"the late vote, then a pre-vote", false}}) {
    CAPTURE(row.what);
    Candidate c;
    c.node.on_message(c.host, 3, VoteReply{1, false, false});  // node 3 refuses (it voted for another)
    c.node.on_timer(c.host, RaftNode::kElectionTimer);        // timed out: a pre-vote round for term 2
    REQUIRE(c.node.role() == Role::kCandidate);
    REQUIRE(c.node.current_term() == 1);
    if (row.pre_vote_first) {
      c.node.on_message(c.host, 3, VoteReply{1, true, true});  // a pre-vote for term 2
      c.node.on_message(c.host, 1, VoteReply{1, true, false}); // node 1's vote of term 1, late
    } else {
      c.node.on_message(c.host, 1, VoteReply{1, true, false});
      c.node.on_message(c.host, 3, VoteReply{1, true, true});
    }
    // Own vote, one pre-vote, one late vote: three marks, but neither round has a majority.
    CHECK(c.node.role() != Role::kLeader);
    CHECK(c.node.current_term() == 1);
    // A second pre-vote makes the pre-vote round's majority (self, 3, 4): it stands in term 2.
    c.node.on_message(c.host, 4, VoteReply{1, true, true});
    CHECK(c.node.role() == Role::kCandidate);
    CHECK(c.node.current_term() == 2);
  }
}

TEST_CASE("swarm seed 300930 of raft/flapping_link.yaml elects one leader per term") {
  const auto r = faultline::test::run_binary("swarm scenarios/raft/flapping_link.yaml --seeds 300930..300930 --jobs 1");
  CHECK(r.out.find("election_safety") == std::string::npos);
  CHECK(r.out.find(" 0 safety") != std::string::npos);
}

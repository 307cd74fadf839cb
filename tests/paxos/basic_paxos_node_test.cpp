// Single-decree Paxos as a plain state machine, driven by hand: the rows of
// the two-phase table in ../shared/SPEC.md, one check per rule.
#include <doctest/doctest.h>

#include "protocols/paxos/basic_paxos_node.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;
using namespace faultline::paxos;
using TestHost = faultline::testing::RecordingHost<BasicMessage>;

namespace {

template <class T>
const T& last_sent(const TestHost& h) {
  REQUIRE(!h.sent.empty());
  return std::get<T>(h.sent.back().second);
}

// An acceptor (node 4 of 5, not a proposer).
struct Acceptor {
  BasicParams params;
  TestHost host{4, 5};
  BasicPaxosNode node{4, 5, params};
  Acceptor() { node.on_start(host); }
};

}  // namespace

TEST_CASE("phase 1: promise a higher number, reporting what was accepted — reject a lower one with minProposal") {
  Acceptor a;
  a.node.on_message(a.host, 0, Prepare{{3, 0}});
  const auto& yes = last_sent<Promise>(a.host);
  CHECK(yes.ok);
  CHECK(yes.min_proposal == Ballot{3, 0});
  CHECK_FALSE(yes.accepted_proposal.is_set());
  CHECK(a.host.syncs_at_send.back() > 0);  // the promise is durable before it leaves

  a.node.on_message(a.host, 1, Prepare{{2, 1}});
  const auto& no = last_sent<Promise>(a.host);
  CHECK_FALSE(no.ok);
  CHECK(no.min_proposal == Ballot{3, 0});

  a.node.on_message(a.host, 0, Accept{{3, 0}, 7});
  a.node.on_message(a.host, 1, Prepare{{4, 1}});
  const auto& reported = last_sent<Promise>(a.host);
  CHECK(reported.ok);
  CHECK(reported.accepted_proposal == Ballot{3, 0});
  CHECK(reported.accepted_value == 7);
}

TEST_CASE("phase 2: accept at or above minProposal — a lower Accept gets minProposal back") {
  Acceptor a;
  a.node.on_message(a.host, 0, Prepare{{5, 0}});
  a.node.on_message(a.host, 1, Accept{{4, 1}, 2});
  CHECK(last_sent<Accepted>(a.host).min_proposal == Ballot{5, 0});  // above n: a rejection
  a.node.on_message(a.host, 0, Accept{{5, 0}, 1});
  CHECK(last_sent<Accepted>(a.host).min_proposal == Ballot{5, 0});  // equal to n: accepted
  CHECK(a.node.min_proposal() == Ballot{5, 0});
}

TEST_CASE("the accept_below_promise mutant accepts what the table forbids") {
  Acceptor a;
  a.params.mutant = Mutant::kAcceptBelowPromise;
  a.node.on_message(a.host, 0, Prepare{{5, 0}});
  a.node.on_message(a.host, 1, Accept{{4, 1}, 2});
  CHECK(last_sent<Accepted>(a.host).min_proposal == Ballot{4, 1});
}

TEST_CASE("a restarted acceptor keeps its promise and accepted value, unless the mutant drops them") {
  for (const bool mutant : {false, true}) {
    CAPTURE(mutant);
    Acceptor a;
    if (mutant) a.params.mutant = Mutant::kAcceptorNotPersisted;
    a.node.on_message(a.host, 0, Prepare{{5, 0}});
    a.node.on_message(a.host, 0, Accept{{5, 0}, 1});
    BasicPaxosNode restarted(4, 5, a.params);
    restarted.on_start(a.host);
    restarted.on_message(a.host, 1, Prepare{{4, 1}});
    CHECK(last_sent<Promise>(a.host).ok == mutant);
  }
}

TEST_CASE("a proposer adopts the value with the highest acceptedProposal among a majority's promises") {
  BasicParams params;
  params.proposers = 1;
  TestHost host(0, 5);
  BasicPaxosNode proposer(0, 5, params);
  proposer.on_start(host);
  proposer.on_timer(host, BasicPaxosNode::kProposerTimer);  // phase 1 with (1, 0)
  const Ballot n = std::get<Prepare>(host.sent.at(0).second).n;
  proposer.on_message(host, 1, Promise{n, true, n, {1, 3}, 30});
  proposer.on_message(host, 2, Promise{n, true, n, {2, 4}, 40});  // a majority with our own: phase 2
  const auto& accept = last_sent<Accept>(host);
  CHECK(accept.n == n);
  CHECK(accept.value == 40);
}

TEST_CASE("a rejection sends the proposer back to phase 1 after a backoff, with a higher number") {
  BasicParams params;
  params.proposers = 1;
  TestHost host(0, 5);
  BasicPaxosNode proposer(0, 5, params);
  proposer.on_start(host);
  proposer.on_timer(host, BasicPaxosNode::kProposerTimer);
  const Ballot n = std::get<Prepare>(host.sent.at(0).second).n;
  proposer.on_message(host, 1, Promise{n, false, {9, 3}, {}, 0});
  const Time retry_at = host.timers.at(BasicPaxosNode::kProposerTimer);
  CHECK(retry_at >= params.backoff_min);
  CHECK(retry_at <= params.backoff_max);
  host.sent.clear();
  proposer.on_timer(host, BasicPaxosNode::kProposerTimer);
  CHECK(std::get<Prepare>(host.sent.at(0).second).n > Ballot{9, 3});
}

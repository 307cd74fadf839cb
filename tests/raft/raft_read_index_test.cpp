// ReadIndex (thesis 6.4) step by step on one Raft node driven by hand: a
// read is answered only after a majority answers a round of AppendEntries
// sent after it arrived, and never through the log once the leader has
// committed an entry of its term.
#include <doctest/doctest.h>

#include "protocols/raft/raft_node.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;
using namespace faultline::raft;

namespace {

using Host = testing::RecordingHost<Message, kv::Reply>;

kv::Request request(ClientId client, kv::OpKind kind, std::string value = {}) {
  kv::Request r;
  r.client = client;
  r.sequence = 1;
  r.kind = kind;
  r.key = "k";
  r.value = std::move(value);
  return r;
}

// The round carried by the last AppendEntries sent to `to`.
std::uint64_t last_round_to(const Host& host, NodeId to) {
  for (auto it = host.sent.rbegin(); it != host.sent.rend(); ++it)
    if (it->first == to)
      if (const auto* a = std::get_if<AppendEntries>(&it->second)) return a->round;
  FAIL("no AppendEntries to " << to);
  return 0;
}

const kv::Reply* reply_to(const Host& host, ClientId client) {
  for (const auto& [c, r] : host.replies)
    if (c == client) return &r;
  return nullptr;
}

// Node 0 of three, elected in term 1 with node 1's vote.
struct Leader {
  Params params;
  Host host{0, 3};
  RaftNode node{0, 3, params};

  explicit Leader(bool read_index = true) {
    params.read_index = read_index;
    node.on_start(host);
    node.on_timer(host, RaftNode::kElectionTimer);
    node.on_message(host, 1, VoteReply{1, true, false});
    REQUIRE(node.role() == Role::kLeader);
  }
  // Node 1 acknowledges everything up to `match` in the given round.
  void ack(Index match, std::uint64_t round) { node.on_message(host, 1, AppendReply{1, true, match, 0, 0, round}); }
};

}  // namespace

TEST_CASE("a read waits for a majority to answer a round sent after it, then answers without a log entry") {
  Leader l;
  l.ack(1, last_round_to(l.host, 1));  // the no-op commits: an entry of our term
  l.node.on_client_request(l.host, 7, request(7, kv::OpKind::kPut, "v"));
  l.ack(2, last_round_to(l.host, 1));
  REQUIRE(reply_to(l.host, 7) != nullptr);
  const Index last = l.node.log().last_index();
  const std::uint64_t before = last_round_to(l.host, 1);

  l.node.on_client_request(l.host, 8, request(8, kv::OpKind::kGet));
  CHECK(l.node.log().last_index() == last);  // no entry for the read
  const std::uint64_t round = last_round_to(l.host, 1);
  CHECK(round > before);             // a new round left for the read
  CHECK(reply_to(l.host, 8) == nullptr);

  l.ack(last, before);  // an answer to a round sent before the read confirms nothing
  CHECK(reply_to(l.host, 8) == nullptr);
  l.ack(last, round);  // leader plus node 1: a majority of three
  const kv::Reply* r = reply_to(l.host, 8);
  REQUIRE(r != nullptr);
  CHECK(r->status == kv::Reply::Status::kOk);
  CHECK(r->value == "v");
}

TEST_CASE("before it has committed an entry of its term a leader sends reads through the log") {
  Leader l;
  const Index last = l.node.log().last_index();  // the no-op, not yet committed
  l.node.on_client_request(l.host, 8, request(8, kv::OpKind::kGet));
  CHECK(l.node.log().last_index() == last + 1);
}

TEST_CASE("a leader that steps down tells its waiting readers to go elsewhere") {
  Leader l;
  l.ack(1, last_round_to(l.host, 1));
  l.node.on_client_request(l.host, 8, request(8, kv::OpKind::kGet));
  REQUIRE(reply_to(l.host, 8) == nullptr);
  l.node.on_message(l.host, 2, AppendEntries{2, 0, 0, {}, 0, 0});  // a leader of term 2
  const kv::Reply* r = reply_to(l.host, 8);
  REQUIRE(r != nullptr);
  CHECK(r->status == kv::Reply::Status::kNotLeader);
  CHECK(r->leader_hint == 2);
}

TEST_CASE("the read_without_confirmation mutant answers before any majority confirms") {
  Leader l;
  l.params.mutant = Mutant::kReadWithoutConfirmation;
  l.ack(1, last_round_to(l.host, 1));
  l.node.on_client_request(l.host, 8, request(8, kv::OpKind::kGet));
  CHECK(reply_to(l.host, 8) != nullptr);
}

// The replication path's shortcuts, on one Raft node driven by hand: a
// leader counts a quorum again only when an acknowledgement can change it,
// an AppendEntries carries the run of the log its next index names, a
// follower skips the entries it holds, a message's size is what its
// commands' requests hold, and a command's key is hashed once for every
// replica's store.
#include <doctest/doctest.h>

#include "protocols/kv/kv_store.hpp"
#include "protocols/raft/raft_log.hpp"
#include "protocols/raft/raft_node.hpp"
#include "sim/node/memory_store.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;
using namespace faultline::raft;

namespace {

using TestHost = testing::RecordingHost<Message, kv::Reply>;

kv::Request put(ClientId client, std::uint64_t sequence, std::string key, std::string value) {
  kv::Request r;
  r.client = client;
  r.sequence = sequence;
  r.kind = kv::OpKind::kPut;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

// The last AppendEntries sent to `to`.
const AppendEntries* last_append_to(const TestHost& host, NodeId to) {
  for (auto it = host.sent.rbegin(); it != host.sent.rend(); ++it)
    if (it->first == to)
      if (const auto* a = std::get_if<AppendEntries>(&it->second)) return a;
  return nullptr;
}

const AppendReply* last_reply_to(const TestHost& host, NodeId to) {
  for (auto it = host.sent.rbegin(); it != host.sent.rend(); ++it)
    if (it->first == to)
      if (const auto* a = std::get_if<AppendReply>(&it->second)) return a;
  return nullptr;
}

// Starts `node` and makes it the leader of term 1 with server 1's vote.
void elect_with_vote_of_1(TestHost& host, RaftNode& node) {
  node.on_start(host);
  node.on_timer(host, RaftNode::kElectionTimer);
  node.on_message(host, 1, VoteReply{1, true, false});
  REQUIRE(node.role() == Role::kLeader);
}

}  // namespace

TEST_CASE("a leader alone in its configuration commits its no-op at an acknowledgement that adds nothing") {
  // Server 0 is the configuration by itself (server 1 is not a member): it
  // wins its election alone and appends its no-op, but nothing counts the
  // quorum until a reply comes. A reply from server 1 that holds nothing
  // (match 0, not above the commit index) still leads to a count, the
  // leadership's first, which commits the no-op: the leader's own match
  // was set without one.
  Params params;
  params.initial_members = 1;
  TestHost host{0, 2};
  RaftNode node{0, 2, params};
  node.on_start(host);
  node.on_timer(host, RaftNode::kElectionTimer);
  REQUIRE(node.role() == Role::kLeader);
  REQUIRE(node.log().last_index() == 1);
  CHECK(node.commit_index() == 0);
  node.on_message(host, 1, AppendReply{node.current_term(), true, 0, 0, 0, 0});
  CHECK(node.commit_index() == 1);
}

TEST_CASE("a leader of three commits at the majority's acknowledgement and not before") {
  Params params;
  TestHost host{0, 3};
  RaftNode node{0, 3, params};
  elect_with_vote_of_1(host, node);
  node.on_message(host, 1, AppendReply{1, true, 1, 0, 0, 1});  // the no-op: leader and server 1
  CHECK(node.commit_index() == 1);
  node.on_message(host, 2, AppendReply{1, true, 1, 0, 0, 1});  // a third copy of it: nothing new
  CHECK(node.commit_index() == 1);
  node.on_client_request(host, 7, put(7, 1, "k", "v"));
  node.on_client_request(host, 8, put(8, 1, "k", "w"));
  REQUIRE(node.log().last_index() == 3);
  node.on_message(host, 2, AppendReply{1, true, 2, 0, 0, 2});
  CHECK(node.commit_index() == 2);
  node.on_message(host, 1, AppendReply{1, true, 1, 0, 0, 2});  // stale, at or below the commit index
  CHECK(node.commit_index() == 2);
  node.on_message(host, 1, AppendReply{1, true, 3, 0, 0, 3});
  CHECK(node.commit_index() == 3);
  CHECK(host.replies.size() == 2);
}

TEST_CASE("an AppendEntries carries the run from the follower's next index and moves it past the run") {
  Params params;
  params.max_entries_per_append = 2;
  TestHost host{0, 3};
  RaftNode node{0, 3, params};
  elect_with_vote_of_1(host, node);
  for (std::uint64_t s = 1; s <= 3; ++s) node.on_client_request(host, 7, put(7, s, "k", std::string(s, 'v')));
  // The last sent to server 2 carried entry 4 alone (each was sent as it came).
  const AppendEntries* a = last_append_to(host, 2);
  REQUIRE(a != nullptr);
  CHECK(a->prev_log_index == 3);
  CHECK(a->prev_log_term == 1);
  REQUIRE(a->entries.size() == 1);
  CHECK(a->entries[0].command().value == "vvv");
  CHECK(message_bytes(Message(*a)) == 40 + 24 + 1 + 3);  // "k" and "vvv"
  // Server 2 held nothing: its refusal of that AppendEntries (prev index 3)
  // sends the leader back to index 1, whence two entries at a time (the
  // probe, with probe_after_refusal, the default).
  node.on_message(host, 2, AppendReply{1, false, 0, 1, 0, 0, 3});
  a = last_append_to(host, 2);
  REQUIRE(a != nullptr);
  CHECK(a->prev_log_index == 0);
  REQUIRE(a->entries.size() == 2);
  CHECK(a->entries[0].noop);
  CHECK(a->entries[1].command().value == "v");
  CHECK(a->entries[1].shared.get() == node.log().at(2).shared.get());  // the leader's command, shared
  CHECK(message_bytes(Message(*a)) == 40 + 2 * 24 + 1 + 1);
  // Its success sends what follows: entries 3 and 4.
  node.on_message(host, 2, AppendReply{1, true, 2, 0, 0, 0});
  a = last_append_to(host, 2);
  REQUIRE(a != nullptr);
  CHECK(a->prev_log_index == 2);
  REQUIRE(a->entries.size() == 2);
  CHECK(a->entries[0].command().value == "vv");
  CHECK(a->entries[1].command().value == "vvv");
}

TEST_CASE("a follower skips the entries it holds and appends the rest, truncating at a conflict") {
  Params params;
  TestHost host{1, 3};
  RaftNode node{1, 3, params};
  node.on_start(host);
  auto entry = [](Term t, std::uint64_t s) { return Entry{t, false, put(7, s, "k", std::to_string(s))}; };
  // Entries 1..3 of term 1.
  node.on_message(host, 0, AppendEntries{1, 0, 0, std::vector<Entry>{entry(1, 1), entry(1, 2), entry(1, 3)}, 0, 0});
  REQUIRE(node.log().last_index() == 3);
  const Command* held = node.log().at(2).shared.get();
  // A resend of 1..3 and a new 4: 1..3 are kept as they are, 4 is added.
  node.on_message(host, 0,
                  AppendEntries{1, 0, 0, std::vector<Entry>{entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)}, 0, 0});
  CHECK(node.log().last_index() == 4);
  CHECK(node.log().at(2).shared.get() == held);
  CHECK(node.log().rewrites() == 0);
  REQUIRE(last_reply_to(host, 0) != nullptr);
  CHECK(last_reply_to(host, 0)->match_index == 4);
  // A message older than what we hold (1..2): nothing goes, the match is its end.
  node.on_message(host, 0, AppendEntries{1, 0, 0, std::vector<Entry>{entry(1, 1), entry(1, 2)}, 0, 0});
  CHECK(node.log().last_index() == 4);
  CHECK(node.log().rewrites() == 0);
  CHECK(last_reply_to(host, 0)->match_index == 2);
  // A leader of term 2 whose entry 3 differs: 3 and 4 go, its 3 and 4 come.
  node.on_message(host, 0, AppendEntries{2, 2, 1, std::vector<Entry>{entry(2, 30), entry(2, 40)}, 0, 0});
  CHECK(node.log().last_index() == 4);
  CHECK(node.log().rewrites() == 1);
  CHECK(node.log().at(2).shared.get() == held);
  CHECK(node.log().term_at(3) == 2);
  CHECK(node.log().at(4).command().value == "40");
  CHECK(last_reply_to(host, 0)->match_index == 4);
}

TEST_CASE("a command carries its key's hash and its request's bytes, made once, for every replica") {
  // Made by a leader, and read back from a stored record by a restarted
  // server (no shared commands: decoded from the bytes).
  MemoryStore stored;
  RaftLog log;
  const std::string long_value(200, 'x');  // a record too long for the command's inline bytes
  std::vector<kv::Request> requests = {put(3, 1, "k17", "v"), put(4, 2, "a key longer than eight bytes", long_value),
                                       put(5, 3, "", "")};
  requests.push_back(requests[0]);
  requests.back().kind = kv::OpKind::kCas;
  requests.back().expected = "v";
  requests.back().sequence = 2;
  for (const kv::Request& r : requests) log.append(stored, Entry{1, false, r});
  stored.sync();
  RaftLog reloaded;
  reloaded.load(stored);
  REQUIRE(reloaded.last_index() == requests.size());
  kv::KvStore hashing_each_time, hashed_once;
  for (Index i = 1; i <= requests.size(); ++i) {
    const kv::Request& r = requests[i - 1];
    for (const RaftLog* l : {&log, &reloaded}) {
      const Command* c = l->at(i).shared.get();
      REQUIRE(c != nullptr);
      CHECK(c->key_hash == kv::key_hash(r.key));
      CHECK(c->request_bytes == r.key.size() + r.value.size() + r.expected.size());
    }
    const kv::Reply want = hashing_each_time.apply(r);
    const kv::Reply got = hashed_once.apply(reloaded.at(i).command(), reloaded.at(i).shared->key_hash);
    CHECK(got.status == want.status);
    CHECK(got.value == want.value);
    CHECK(got.cas_ok == want.cas_ok);
  }
  CHECK(hashed_once.snapshot() == hashing_each_time.snapshot());
  CHECK(hashed_once.read("k17") == "v");
}

TEST_CASE("a leader removing a server sends the change to the members and to it, in server order") {
  // Thesis 4.2.3: the server being removed still gets the entry that
  // removes it. Removing server 1 of 0..2: sent to 1, then 2; removing
  // server 2 instead: to 1, then 2 (the leaving one last).
  for (const NodeId removed : {NodeId{1}, NodeId{2}}) {
    CAPTURE(removed);
    Params params;
    TestHost host{0, 3};
    RaftNode node{0, 3, params};
    elect_with_vote_of_1(host, node);
    node.on_message(host, 1, AppendReply{1, true, 1, 0, 0, 1});
    node.on_message(host, 2, AppendReply{1, true, 1, 0, 0, 1});
    REQUIRE(node.commit_index() == 1);
    kv::Request remove;
    remove.client = 9;
    remove.sequence = 1;
    remove.kind = kv::OpKind::kRemoveServer;
    remove.server = removed;
    const std::size_t before = host.sent.size();
    node.on_client_request(host, 9, remove);
    REQUIRE(node.log().last_index() == 2);
    CHECK_FALSE(node.members()[removed]);
    REQUIRE(host.sent.size() == before + 2);
    CHECK(host.sent[before].first == 1);
    CHECK(host.sent[before + 1].first == 2);
    for (std::size_t k = before; k < before + 2; ++k) {
      const auto* a = std::get_if<AppendEntries>(&host.sent[k].second);
      REQUIRE(a != nullptr);
      REQUIRE(a->entries.size() == 1);
      CHECK(a->entries[0].command().kind == kv::OpKind::kRemoveServer);
    }
  }
}

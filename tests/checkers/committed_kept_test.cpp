// committed_entry_kept (Raft) and chosen_value_kept (Multi-Paxos) at unit
// level: the checkers fed one node's typed state by hand, event by event, so
// a test can say at which step a committed entry or chosen value vanished.
#include <doctest/doctest.h>

#include <algorithm>

#include "protocols/paxos/multi_paxos_node.hpp"
#include "protocols/raft/raft_node.hpp"
#include "protocols/raft/raft_node_view.hpp"
#include "protocols/paxos/binding/chosen_kept.hpp"
#include "protocols/raft/binding/committed_log.hpp"
#include "sim/node/memory_store.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;

namespace {

kv::Request put(ClientId client, std::string value) {
  kv::Request r;
  r.client = client;
  r.sequence = 1;
  r.kind = kv::OpKind::kPut;
  r.key = "k";
  r.value = std::move(value);
  return r;
}

std::vector<raft::Entry> entries(raft::Term term, int count) {
  std::vector<raft::Entry> out;
  for (int i = 0; i < count; ++i) out.emplace_back(term, false, put(1, std::to_string(i)));
  return out;
}

// A bare log seen as a server (CommittedLog reads the log part of the view,
// and the server's current term: the log's last term unless given).
class LogView : public raft::RaftStateView {
 public:
  explicit LogView(const raft::RaftLog& log, raft::Term current_term = 0) : log_(log), current_term_(current_term) {}
  raft::ViewRole role() const override { return raft::ViewRole::kFollower; }
  raft::ViewTerm current_term() const override { return std::max(current_term_, log_.last_term()); }
  std::optional<NodeId> voted_for() const override { return std::nullopt; }
  raft::ViewIndex commit_index() const override { return 0; }
  raft::ViewIndex last_applied() const override { return 0; }
  raft::ViewIndex log_base_index() const override { return log_.base_index(); }
  raft::ViewIndex log_last_index() const override { return log_.last_index(); }
  raft::ViewTerm term_at(raft::ViewIndex i) const override { return log_.term_at(i); }
  std::uint64_t entry_digest(raft::ViewIndex i) const override {
    return log_.at(i).noop ? 0 : kv::digest(log_.at(i).command());
  }
  std::optional<raft::ViewIndex> match_index(NodeId) const override { return std::nullopt; }
  bool leadership_established() const override { return false; }

 private:
  const raft::RaftLog& log_;
  raft::Term current_term_;
};

// The same, with the log's rewrite count in its summary (as RaftNodeView
// has it), so CommittedLog may trust an entry it confirmed while the count
// is unchanged.
class CountedLogView final : public LogView {
 public:
  explicit CountedLogView(const raft::RaftLog& log, raft::Term current_term = 0)
      : LogView(log, current_term), log_(log) {}
  raft::ViewSummary summary() const override {
    raft::ViewSummary s = RaftStateView::summary();
    s.log_rewrites = log_.rewrites();
    return s;
  }

 private:
  const raft::RaftLog& log_;
};

// Node 1 of three, a follower, sent AppendEntries by node 0 (leader of term 1).
struct Follower {
  raft::Params params;
  testing::RecordingHost<raft::Message, kv::Reply> host{1, 3};
  raft::RaftNode node{1, 3, params};
  explicit Follower(raft::Mutant mutant) {
    params.mutant = mutant;
    node.on_start(host);
  }
  void append(raft::Index prev, std::vector<raft::Entry> e, raft::Index commit) {
    node.on_message(host, 0, raft::AppendEntries{1, prev, prev == 0 ? 0u : 1u, std::move(e), commit, 0});
  }
};

}  // namespace

TEST_CASE("committed_entry_kept fires at the stale AppendEntries that truncates committed entries") {
  for (const bool mutant : {false, true}) {
    CAPTURE(mutant);
    Follower f(mutant ? raft::Mutant::kTruncateWithoutConflict : raft::Mutant::kNone);
    CommittedLog committed(3);
    const auto batch = entries(1, 3);
    // The leader sends entries 1..3, then (pipelined) entry 1 again, stale.
    f.append(0, batch, 0);
    committed.committed(raft::RaftNodeView(f.node), 3);  // the leader commits 1..3 with our acknowledgement
    CHECK_FALSE(committed.check(1, raft::RaftNodeView(f.node)));
    CHECK(committed.held(1) == 3);
    f.append(0, {batch[0]}, 0);  // arrives late: it matches what we hold, so nothing conflicts
    const auto v = committed.check(1, raft::RaftNodeView(f.node));
    if (!mutant) {
      CHECK_FALSE(v);
      CHECK(f.node.log().last_index() == 3);
    } else {
      REQUIRE(v);
      CHECK(v->invariant == "committed_entry_kept");
      CHECK(v->message.find("index 3 (term 1)") != std::string::npos);
      CHECK(v->message.find("ends at index 1") != std::string::npos);
    }
  }
}

TEST_CASE("a RaftNode's view summary answers as the view's separate questions do") {
  Follower f(raft::Mutant::kNone);
  const auto batch = entries(1, 3);
  f.append(0, batch, 2);
  const raft::RaftNodeView v(f.node);
  const raft::ViewSummary s = v.summary();
  CHECK(s.role == v.role());
  CHECK(s.current_term == v.current_term());
  CHECK(s.commit_index == v.commit_index());
  CHECK(s.commit_index == 2);
  CHECK(s.last_applied == v.last_applied());
  CHECK(s.log_base_index == v.log_base_index());
  CHECK(s.log_last_index == v.log_last_index());
  CHECK(s.log_last_index == 3);
  CHECK(s.log_rewrites == f.node.log().rewrites());
  // The default answer (a view that does not count rewrites) asks each question.
  const raft::ViewSummary d = v.RaftStateView::summary();
  CHECK(d.commit_index == 2);
  CHECK(d.log_last_index == 3);
  CHECK(d.log_rewrites == raft::ViewSummary::kNotCounted);
}

TEST_CASE("a RaftNode's view reads a range of entries as term_at and entry_digest give them one by one") {
  Follower f(raft::Mutant::kNone);
  std::vector<raft::Entry> log{raft::Entry(1, true)};  // a no-op first, as a new leader's
  for (const auto& e : entries(1, 4)) log.push_back(e);
  f.append(0, log, 0);
  const raft::RaftNodeView v(f.node);
  REQUIRE(v.log_last_index() == 5);
  std::vector<raft::ViewEntry> read{{99, 99}};  // appended to, not replaced
  v.read_entries(2, 5, read);
  REQUIRE(read.size() == 5);
  CHECK(read[0].term == 99);
  for (raft::ViewIndex i = 2; i <= 5; ++i) {
    CAPTURE(i);
    CHECK(read[i - 1].term == v.term_at(i));
    CHECK(read[i - 1].digest == v.entry_digest(i));
    CHECK(read[i - 1].digest != 0);  // commands
  }
  std::vector<raft::ViewEntry> all, asked;
  v.read_entries(1, 5, all);
  v.RaftStateView::read_entries(1, 5, asked);  // the default: one question per entry
  REQUIRE(all.size() == 5);
  REQUIRE(asked.size() == 5);
  CHECK(all[0].digest == 0);  // the no-op
  for (std::size_t k = 0; k < all.size(); ++k) {
    CHECK(all[k].term == asked[k].term);
    CHECK(all[k].digest == asked[k].digest);
  }
  v.read_entries(6, 5, all);  // an empty range
  CHECK(all.size() == 5);
}

TEST_CASE("committed_entry_kept: compaction keeps a committed prefix, truncation and overwrite lose it") {
  MemoryStore store;
  raft::RaftLog log;
  for (const auto& e : entries(1, 5)) log.append(store, e);
  CommittedLog committed(1);
  committed.committed(LogView(log), 4);
  CHECK_FALSE(committed.check(0, LogView(log)));
  CHECK(committed.held(0) == 4);  // index 5 is in the log but not committed

  SUBCASE("a snapshot through index 4 is not a loss") {
    log.compact_through(store, 4, 1);
    CHECK_FALSE(committed.check(0, LogView(log)));
  }
  SUBCASE("dropping index 4 is") {
    log.truncate_from(store, 4);
    const auto v = committed.check(0, LogView(log));
    REQUIRE(v);
    CHECK(v->message.find("ends at index 3") != std::string::npos);
  }
  SUBCASE("replacing it with another term's entry is") {
    log.truncate_from(store, 4);
    log.append(store, raft::Entry(2, true));
    const auto v = committed.check(0, LogView(log));
    REQUIRE(v);
    CHECK(v->message.find("term 2 there") != std::string::npos);
  }
  SUBCASE("dropping only the uncommitted index 5 is not") {
    log.truncate_from(store, 5);
    CHECK_FALSE(committed.check(0, LogView(log)));
  }
}

TEST_CASE("committed_entry_kept: an entry confirmed before a rewrite is read again, even when the log's end holds the commit") {
  // CommittedLog::check() raises what a server holds without reading it
  // again while the log's rewrite count is what it was when that was
  // confirmed (extends_confirmed). After a rewrite it must read it again:
  // here the server's entry 2 is replaced by one of another term, while its
  // entries 3..4 are the committed ones (a log that breaks Log Matching).
  // The server follows the leader of term 2 (its current term, below).
  MemoryStore store;
  raft::RaftLog committed_by_leader;
  for (raft::Term t : {1, 1, 2, 2}) committed_by_leader.append(store, raft::Entry(t, true));
  CommittedLog committed(1);
  committed.committed(CountedLogView(committed_by_leader), 2);
  raft::RaftLog log;
  for (raft::Term t : {1, 1}) log.append(store, raft::Entry(t, true));
  CHECK_FALSE(committed.check(0, CountedLogView(log, 2)));
  CHECK(committed.held(0) == 2);
  committed.committed(CountedLogView(committed_by_leader), 4);

  SUBCASE("appends only: it holds up to 4 without reading 2 again") {
    for (raft::Term t : {2, 2}) log.append(store, raft::Entry(t, true));
    CHECK_FALSE(committed.check(0, CountedLogView(log, 2)));
    CHECK(committed.held(0) == 4);
  }
  SUBCASE("entry 2 replaced: the loss is reported") {
    log.truncate_from(store, 2);
    for (raft::Term t : {3, 2, 2}) log.append(store, raft::Entry(t, true));
    const auto v = committed.check(0, CountedLogView(log, 2));
    REQUIRE(v);
    CHECK(v->message.find("index 2") != std::string::npos);
    CHECK(v->message.find("term 3 there") != std::string::npos);
  }
}

TEST_CASE("committed_entry_kept holds a server to an entry only from the term it was first reported committed in") {
  // Index 3 (term 1) is committed in term 3: the leader of term 3 commits
  // its no-op at 4 and everything below it.
  MemoryStore store;
  raft::RaftLog leader;
  for (raft::Term t : {1, 1, 1, 3}) leader.append(store, raft::Entry(t, true));
  CommittedLog committed(2);
  committed.committed(LogView(leader), 4);  // reported in term 3
  // Server 1 holds 1..3, still in term 1: it was down through terms 2 and 3.
  raft::RaftLog behind;
  for (raft::Term t : {1, 1, 1}) behind.append(store, raft::Entry(t, true));
  CHECK_FALSE(committed.check(1, LogView(behind, 1)));
  CHECK(committed.held(1) == 0);
  CHECK(committed.commit_index_for(1) == 0);
  CHECK(committed.commit_index_for(3) == 4);

  SUBCASE("a leader of term 2, which may lack index 3, overwrites it there: not a loss") {
    behind.truncate_from(store, 3);
    behind.append(store, raft::Entry(2, true));
    CHECK_FALSE(committed.check(1, LogView(behind, 2)));
  }
  SUBCASE("in term 3 it is held to it, and losing it is the bug") {
    CHECK_FALSE(committed.check(1, LogView(behind, 3)));
    CHECK(committed.held(1) == 3);
    behind.truncate_from(store, 3);
    behind.append(store, raft::Entry(2, true));
    const auto v = committed.check(1, LogView(behind, 3));
    REQUIRE(v);
    CHECK(v->message.find("index 3 (term 1)") != std::string::npos);
    CHECK(v->message.find("term 2 there") != std::string::npos);
  }
  SUBCASE("an acknowledgement counted toward the commit holds it in any term") {
    committed.acknowledged(1, 3);
    behind.truncate_from(store, 3);
    behind.append(store, raft::Entry(2, true));
    REQUIRE(committed.check(1, LogView(behind, 2)));
  }
}

TEST_CASE("committed_entry_kept across a crash: what a server acknowledged must come back") {
  MemoryStore store;
  raft::RaftLog log;
  for (const auto& e : entries(1, 4)) log.append(store, e);
  store.sync();
  for (const auto& e : entries(1, 2)) log.append(store, e);  // 5 and 6, never synced
  CommittedLog committed(1);
  committed.committed(LogView(log), 6);
  CHECK_FALSE(committed.check(0, LogView(log)));
  CHECK(committed.held(0) == 6);
  raft::RaftLog recovered;

  SUBCASE("held but not acknowledged: losing the unsynced tail in a crash is allowed") {
    committed.acknowledged(0, 4);
    committed.crashed(0);
    store.crash();
    recovered.load(store);
    CHECK(recovered.last_index() == 4);
    CHECK_FALSE(committed.check(0, LogView(recovered)));
  }
  SUBCASE("acknowledged before it was synced: the restart loses a counted entry") {
    committed.acknowledged(0, 6);
    committed.crashed(0);
    store.crash();
    recovered.load(store);
    const auto v = committed.check(0, LogView(recovered));
    REQUIRE(v);
    CHECK(v->message.find("acknowledged") != std::string::npos);
    CHECK(v->message.find("index 6") != std::string::npos);
  }
}

TEST_CASE("chosen_value_kept: an acceptor must keep a chosen value it accepted") {
  using paxos::SlotValue;
  const paxos::Command c{false, put(1, "v")};
  const std::uint64_t digest = paxos::command_digest(c);
  std::vector<SlotValue> log(3);
  for (paxos::Slot s = 1; s <= 3; ++s) log[s - 1].slot = s;
  log[1] = SlotValue{2, paxos::Ballot{1, 0}, false, c};
  ChosenKept kept(1);
  kept.must_keep(0, 2, digest);
  CHECK_FALSE(kept.check_recent(0, log));

  SUBCASE("accepting the same value in a higher ballot keeps it") {
    log[1].ballot = paxos::Ballot{2, 1};
    CHECK_FALSE(kept.check_recent(0, log));
  }
  SUBCASE("another value in its place is a loss") {
    log[1].command = paxos::Command{false, put(2, "w")};
    const auto v = kept.check_recent(0, log);
    REQUIRE(v);
    CHECK(v->invariant == "chosen_value_kept");
  }
  SUBCASE("an emptied slot is a loss") {
    log[1] = SlotValue{2, {}, false, {}};
    REQUIRE(kept.check_recent(0, log));
  }
  SUBCASE("a shorter log is a loss, even where the acceptor had learned the slot was chosen") {
    log[1].chosen = true;
    CHECK_FALSE(kept.check_recent(0, log));  // settled
    log.resize(1);
    const auto v = kept.check_recent(0, log);
    REQUIRE(v);
    CHECK(v->message.find("log ends at slot 1") != std::string::npos);
  }
  SUBCASE("a restart is judged on every slot, settled or not") {
    log[1].chosen = true;
    CHECK_FALSE(kept.check_recent(0, log));  // settled: no longer looked at after each event
    log[1] = SlotValue{2, {}, false, {}};
    CHECK_FALSE(kept.check_recent(0, log));
    REQUIRE(kept.check_all(0, log));
  }
}

TEST_CASE("chosen_value_kept fires at the promise after which a forget_on_promise acceptor drops a chosen value") {
  const paxos::Command c{false, put(1, "v")};
  for (const bool mutant : {false, true}) {
    CAPTURE(mutant);
    paxos::MultiParams params;
    if (mutant) params.mutant = paxos::Mutant::kForgetOnPromise;
    testing::RecordingHost<paxos::MultiMessage, kv::Reply> host{2, 3};
    paxos::MultiPaxosNode node{2, 3, params};
    node.on_start(host);
    // Node 0 leads in ballot 1.0 and has slot 1 accepted by node 1 and us:
    // chosen, though nobody told us yet.
    node.on_message(host, 0, paxos::MultiAccept{paxos::Ballot{1, 0}, {{1, c}}, 0});
    ChosenKept kept(3);
    kept.must_keep(2, 1, paxos::command_digest(c));
    CHECK_FALSE(kept.check_recent(2, node.acceptor_log()));
    // Node 1 runs phase 1 from slot 1 (it does not know slot 1 is chosen either).
    node.on_message(host, 1, paxos::MultiPrepare{paxos::Ballot{2, 1}, 1});
    const auto& promise = std::get<paxos::MultiPromise>(host.sent.back().second);
    CHECK(promise.accepted.size() == 1);  // either way, the promise reports it
    const auto v = kept.check_recent(2, node.acceptor_log());
    CHECK(bool(v) == mutant);
  }
}

// A Raft server (Ongaro & Ousterhout 2014) as a sans-IO state machine, with
// a replicated key-value store as its state machine.
//
// Elections (section 5.2, 5.4.1, thesis 9.6) are in raft_election.cpp,
// replication and commitment (5.3, 5.4.2) in raft_replication.cpp, client
// requests and applying in raft_client.cpp. Reads go through the log, or,
// with read_index, through ReadIndex (raft_read_index.cpp); either way they
// are linearizable.
//
// Durable state (Figure 2): current term, vote, log, and the snapshot that
// replaces the log's compacted prefix (thesis chapter 5). Term and vote are synced
// before any vote is granted or any message of the new term is sent; log
// entries are synced before they are acknowledged.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <optional>
#include <vector>

#include "protocols/host/host.hpp"
#include "protocols/kv/kv_store.hpp"
#include "protocols/raft/raft_log.hpp"
#include "protocols/raft/raft_messages.hpp"
#include "protocols/raft/raft_params.hpp"
#include "protocols/raft/waiting_clients.hpp"

namespace faultline::raft {

enum class Role : std::uint8_t { kFollower, kCandidate, kLeader };

class RaftNode {
 public:
  using HostT = Host<Message, kv::Reply>;
  static constexpr TimerSlot kElectionTimer = 0;
  static constexpr TimerSlot kHeartbeatTimer = 1;
  static constexpr TimerSlot kBatchTimer = 2;  // append_batch_delay
  static constexpr TimerSlot kTimerSlots = 3;

  // `decoded`: the run's commands, shared with its other servers (raft_log.hpp), or null.
  RaftNode(NodeId self, NodeId cluster_size, const Params& params, DecodedCommands* decoded = nullptr);

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT& host, TimerSlot slot);
  void on_client_request(HostT& host, ClientId client, const kv::Request& r);

  // For checkers.
  Role role() const { return role_; }
  Term current_term() const { return term_; }
  std::optional<NodeId> voted_for() const { return voted_for_; }
  const RaftLog& log() const { return log_; }
  Index commit_index() const { return commit_index_; }
  Index last_applied() const { return last_applied_; }
  // Who this server believes leads (itself while it leads; kNoNode: no idea).
  NodeId leader_hint() const { return role_ == Role::kLeader ? self_ : leader_; }
  const std::vector<bool>& members() const { return members_; }
  // The state machine as applied so far (a composite node's reconciler reads it).
  const kv::KvStore& store() const { return store_; }
  // A leader's view of what each server acknowledged (meaningful while it leads).
  const std::vector<Index>& match_index() const { return match_index_; }
  // Snapshots installed from a leader in this life (modulo 2^16): tells an
  // observer that sees last_applied() jump whether the entries were applied
  // one by one or came in a snapshot. Never read by the protocol.
  std::uint16_t snapshots_installed() const { return snapshots_installed_; }
  // For a composite's checkers that read, after each of its inputs, what
  // the server applied in it (consul's observer): with keep_compacted(),
  // the entries this server's own snapshots compact that it applied since
  // the last release_compacted() (call it as each input begins) stay
  // readable through compacted_entry() (null for any other index). Off by
  // default: protocol raft keeps nothing. Never read by the protocol.
  void keep_compacted() { keep_compacted_ = true; }
  void release_compacted() {
    compacted_kept_.clear();
    compacted_kept_from_ = last_applied_ + 1;
  }
  const Entry* compacted_entry(Index i) const {
    if (i < compacted_kept_from_ || i - compacted_kept_from_ >= compacted_kept_.size()) return nullptr;
    return &compacted_kept_[i - compacted_kept_from_];
  }
  // A leader whose authority a majority has acknowledged: servers making up
  // a majority of the configuration (itself included) answered an
  // AppendEntries round of its term (the first goes out on election, 5.2).
  bool leadership_established() const {
    return role_ == Role::kLeader && quorum([&](NodeId i) { return i == self_ || acked_round_[i] >= 1; });
  }

 private:
  // raft_election.cpp
  // Section 5.2: a randomized timeout, so split votes are rare. (Here, so
  // the AppendEntries that reset it most make no call for it.)
  void reset_election_timer(HostT& host) {
    host.set_timer(kElectionTimer, host.rng().between(params_->election_timeout_min, params_->election_timeout_max));
  }
  void start_election(HostT& host, bool pre_vote);
  void on_request_vote(HostT& host, NodeId from, const RequestVote& m);
  void on_vote_reply(HostT& host, NodeId from, const VoteReply& m);
  void become_follower(HostT& host, Term term, NodeId leader);
  void become_leader(HostT& host);
  // The `role` trace event (role and term), after every change of either
  // that the candidate/leader/follower events report: the lane a viewer draws.
  void emit_role(HostT& host) const;
  bool log_up_to_date(Index last_index, Term last_term) const;
  void persist_term_and_vote(HostT& host);
  bool heard_from_majority_recently(HostT& host) const;

  // raft_replication.cpp
  void send_append(HostT& host, NodeId to);
  // To every follower; with probe_after_refusal, a follower whose probe is
  // unanswered gets it again on a heartbeat and nothing otherwise.
  // A heartbeat with Params::idle_heartbeats skips the servers sent
  // anything after `idle_before` that have nothing unsent.
  void broadcast_append(HostT& host, bool heartbeat = false, Time idle_before = kNoIdleTest);
  static constexpr Time kNoIdleTest = std::numeric_limits<Time>::max();
  void on_append_entries(HostT& host, NodeId from, const AppendEntries& m);
  void on_append_reply(HostT& host, NodeId from, const AppendReply& m);
  // A refusal's AppendReply::refused_index for `m`.
  Index refused(const AppendEntries& m) const { return params_->probe_after_refusal ? m.prev_log_index : 0; }
  void on_install_snapshot(HostT& host, NodeId from, const InstallSnapshot& m);
  void advance_commit(HostT& host);
  // The highest index a majority of the configuration holds, by match_index_,
  // when it is above the commit index; otherwise at most the commit index
  // (0 without members).
  Index quorum_match_index() const;
  // quorum_match_index() for more than 16 members (out of line: a handful
  // is the common case, on the stack).
  [[gnu::noinline]] Index majority_match_index_above_commit(std::size_t majority) const;

  // raft_client.cpp
  void apply_committed(HostT& host);
  void take_snapshot(HostT& host);
  void flush_appends(HostT& host);
  // flush_appends() now, or when the batch leaves (append_batch_delay).
  void send_now_or_with_batch(HostT& host);

  // raft_read_index.cpp (thesis 6.4)
  bool accept_read(HostT& host, ClientId client, const kv::Request& r);
  void serve_confirmed_reads(HostT& host);
  void drop_pending_reads(HostT& host, NodeId leader_hint);
  // raft_membership.cpp (thesis chapter 4, single-server changes; 3.10)
  void recompute_config();
  std::vector<bool> config_at(Index i) const;
  bool is_member(NodeId i) const { return members_[i]; }
  // Whether this server stands for election when its timer fires: it is a
  // member of its latest configuration, or that configuration removes it
  // but is not known committed and the one before names it (thesis 4.2.2;
  // then through a pre-vote round, whatever params.pre_vote says).
  bool may_campaign() const;
  // Whether the members for which `has` holds are a majority of the configuration.
  template <class Has>
  bool quorum(Has&& has) const {
    NodeId members = 0, yes = 0;
    for (NodeId i = 0; i < n_; ++i)
      if (members_[i]) {
        ++members;
        yes += has(i) ? 1 : 0;
      }
    return members > 0 && yes >= members / 2 + 1;
  }
  void on_admin_request(HostT& host, ClientId client, const kv::Request& r);
  void on_timeout_now(HostT& host, NodeId from, const TimeoutNow& m);
  void maybe_send_timeout_now(HostT& host);


  NodeId self_;
  NodeId n_;
  const Params* params_;

  // Durable (Figure 2). Invariant: term_ never decreases; voted_for_ is for
  // term_ only.
  Term term_ = 0;
  std::optional<NodeId> voted_for_;
  RaftLog log_;

  // The configuration (thesis 4.1): a server uses the latest one in its log,
  // committed or not. base_members_ is the one in force at the snapshot base
  // (durable with the snapshot); members_ adds the log's changes after it.
  // Invariant: at most one change in the log is uncommitted (config_index_
  // <= commit_index_ before a leader appends another).
  std::vector<bool> base_members_;
  std::vector<bool> members_;
  std::vector<NodeId> member_ids_;  // the servers members_ holds, in increasing order (quorum_match_index reads them)
  Index config_index_ = 0;  // the latest configuration entry in the log (0: base)
  // Durable, a hint: the index of this server's own removal, once it applied
  // it (so it knows the removal committed, after a restart too: the commit
  // index is volatile). may_campaign reads it. Lost (written, not synced),
  // it costs only futile pre-vote rounds; it never silences a server that
  // may be needed.
  Index removal_committed_ = 0;

  // Volatile.
  Role role_ = Role::kFollower;
  NodeId leader_ = kNoNode;
  // Invariant: commit_index_ never decreases; last_applied_ <= commit_index_.
  Index commit_index_ = 0;
  Index last_applied_ = 0;
  kv::KvStore store_;
  Time last_heard_from_leader_ = -1;  // local time; for PreVote's "is there a leader?"

  // Candidate.
  std::vector<bool> votes_;
  bool pre_voting_ = false;
  bool transfer_election_ = false;  // this election answers the leader's TimeoutNow

  // Leader (reinitialised on election). Invariant: match_index_[i] <
  // next_index_[i]; match_index_ only grows within a term.
  std::vector<Index> next_index_;
  std::vector<Index> match_index_;
  // Params::probe_after_refusal: per follower, 0 while AppendEntries stream
  // to it, else the next_index its unanswered probe started at (the probe's
  // prev_log_index + 1). Cleared by any success from it.
  std::vector<Index> probe_next_;
  std::vector<Time> last_ack_;                 // CheckQuorum: when each follower last answered
  // Params::idle_heartbeats: when each server was last sent an
  // AppendEntries or a snapshot in this leadership (kept only then).
  std::vector<Time> last_sent_;
  WaitingClients waiting_clients_;             // log index -> client to answer when it applies
  bool batch_pending_ = false;         // client entries appended, not yet synced and sent
  bool commit_counted_ = false;        // advance_commit ran since this leadership began (on_append_reply reads it)
  std::uint16_t snapshots_installed_ = 0;  // see snapshots_installed() (in the bools' padding)
  // keep_compacted(). Invariant: compacted_kept_[k] is index compacted_kept_from_ + k.
  bool keep_compacted_ = false;
  Index compacted_kept_from_ = 1;
  std::vector<Entry> compacted_kept_;
  NodeId transfer_target_ = kNoNode;  // leadership transfer in progress (thesis 3.10)
  // ReadIndex (thesis 6.4). A read waits for a round of AppendEntries sent
  // after it arrived to be answered by a majority (so we still led when it
  // arrived), then for its read index (the commit index on arrival) to be
  // applied. Invariant: pending reads are in arrival order, so their rounds
  // and read indexes never decrease along the queue.
  struct PendingRead {
    ClientId client;
    std::uint64_t sequence;
    std::string key;
    Index read_index;
    std::uint64_t round;
  };
  std::deque<PendingRead> pending_reads_;
  std::uint64_t round_ = 0;                 // the latest round sent (broadcast_append starts one)
  std::vector<std::uint64_t> acked_round_;  // per server: the highest round it answered this term
  Time transfer_deadline_ = 0;
};

}  // namespace faultline::raft

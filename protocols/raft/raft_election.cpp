// Raft elections: section 5.2 (leader election), 5.4.1 (the election
// restriction), thesis 9.6 (PreVote, CheckQuorum).
#include <algorithm>
#include <string>

#include "protocols/raft/raft_node.hpp"

namespace faultline::raft {

RaftNode::RaftNode(NodeId self, NodeId cluster_size, const Params& params, DecodedCommands* decoded)
    : self_(self), n_(cluster_size), params_(&params), log_(decoded) {}

void RaftNode::on_start(HostT& host) {
  // Recover what was synced (Figure 2, "persistent state on all servers").
  if (auto t = host.storage().read("raft/term")) term_ = std::stoull(*t);
  if (auto v = host.storage().read("raft/vote")) voted_for_ = static_cast<NodeId>(std::stoul(*v));
  if (auto r = host.storage().read("raft/removal_committed")) removal_committed_ = std::stoull(*r);
  log_.load(host.storage());
  // The snapshot stands for every entry up to the log's base: those are
  // applied (thesis 5.1), the rest replay as the commit index is relearned.
  if (auto snap = host.storage().read("raft/snapshot")) store_ = kv::KvStore::restore(*snap);
  base_members_.assign(n_, false);
  if (auto m = host.storage().read("raft/base_members")) {
    for (NodeId i = 0; i < n_ && i < m->size(); ++i) base_members_[i] = (*m)[i] == '1';
  } else {
    const NodeId initial = params_->initial_members == 0 ? n_ : std::min<NodeId>(n_, params_->initial_members);
    for (NodeId i = 0; i < initial; ++i) base_members_[i] = true;
  }
  recompute_config();
  commit_index_ = last_applied_ = log_.base_index();
  role_ = Role::kFollower;
  host.emit("start", {{"term", term_}, {"log", log_.last_index()}});
  emit_role(host);
  reset_election_timer(host);
}

void RaftNode::persist_term_and_vote(HostT& host) {
  if (params_->mutant == Mutant::kVoteNotPersisted) return;  // the bug: memory only
  host.storage().write("raft/term", std::to_string(term_));
  if (voted_for_) host.storage().write("raft/vote", std::to_string(*voted_for_));
  else host.storage().erase("raft/vote");
  host.storage().sync();
}

void RaftNode::on_timer(HostT& host, TimerSlot slot) {
  if (slot == kElectionTimer) {
    // A server outside its configuration (may_campaign) asks for pre-votes
    // first whatever params.pre_vote says (thesis 9.6): it may be one whose
    // removal committed unknown to it, and must not disturb a live leader's
    // term; where no leader lives, it still stands.
    if (role_ != Role::kLeader) start_election(host, params_->pre_vote || !is_member(self_));
    return;
  }
  if (slot == kBatchTimer) {
    if (role_ == Role::kLeader && batch_pending_) flush_appends(host);
    return;
  }
  if (slot == kHeartbeatTimer && role_ == Role::kLeader) {
    if (params_->check_quorum && !heard_from_majority_recently(host)) {
      // Thesis 9.6: a leader cut off from a majority steps down.
      become_follower(host, term_, kNoNode);
      reset_election_timer(host);
      return;
    }
    if (transfer_target_ != kNoNode && host.now() > transfer_deadline_) {
      host.emit("transfer_abandoned", {{"to", transfer_target_}});
      transfer_target_ = kNoNode;  // 3.10: resume taking requests
    }
    if (!params_->idle_heartbeats) {
      broadcast_append(host, /*heartbeat=*/true);
      host.set_timer(kHeartbeatTimer, params_->heartbeat_interval);
      return;
    }
    // Figure 2: only to the followers idle for an interval (or with
    // entries left to send); the timer fires again when the first of the
    // others comes due.
    broadcast_append(host, /*heartbeat=*/true, host.now() - params_->heartbeat_interval);
    Time due = host.now() + params_->heartbeat_interval;
    for (const NodeId i : member_ids_)
      if (i != self_) due = std::min(due, last_sent_[i] + params_->heartbeat_interval);
    host.set_timer(kHeartbeatTimer, due - host.now());
  }
}

bool RaftNode::heard_from_majority_recently(HostT& host) const {
  return quorum([&](NodeId i) { return i == self_ || host.now() - last_ack_[i] < params_->election_timeout_max; });
}

void RaftNode::start_election(HostT& host, bool pre_vote) {
  reset_election_timer(host);
  // A server outside its configuration waits to be added, or was removed
  // (thesis 4.2.3), unless its removal may still need it (may_campaign).
  if (!may_campaign()) return;
  votes_.assign(n_, false);
  votes_[self_] = true;
  const bool alone = quorum([&](NodeId i) { return i == self_; });
  if (pre_vote) {
    // Thesis 9.6: ask whether we could win before disturbing anyone's term.
    pre_voting_ = true;
    for (NodeId i = 0; i < n_; ++i)
      if (i != self_ && is_member(i)) host.send(i, RequestVote{term_ + 1, log_.last_index(), log_.last_term(), true});
    if (alone) start_election(host, false);
    return;
  }
  // Section 5.2: increment the term, vote for ourselves, ask everyone.
  pre_voting_ = false;
  role_ = Role::kCandidate;
  ++term_;
  voted_for_ = self_;
  leader_ = kNoNode;
  persist_term_and_vote(host);
  host.emit("candidate", {{"term", term_}});
  emit_role(host);
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_ && is_member(i))
      host.send(i, RequestVote{term_, log_.last_index(), log_.last_term(), false, transfer_election_});
  transfer_election_ = false;
  if (alone) become_leader(host);
}

bool RaftNode::log_up_to_date(Index last_index, Term last_term) const {
  // Section 5.4.1: later last term wins; same last term, longer log wins.
  if (params_->mutant == Mutant::kUpToDateIndexOnly) return last_index >= log_.last_index();
  return last_term > log_.last_term() || (last_term == log_.last_term() && last_index >= log_.last_index());
}

void RaftNode::on_request_vote(HostT& host, NodeId from, const RequestVote& m) {
  // A server outside our configuration asks for (pre-)votes: it may not
  // know its removal committed (may_campaign). Our AppendEntries, and the
  // entries after them, tell it: then it stays quiet. Not to a server whose
  // term is above ours already: its refusal would depose us.
  if (role_ == Role::kLeader && !is_member(from) && (m.pre_vote ? m.term - 1 : m.term) <= term_) send_append(host, from);
  if (m.pre_vote) {
    // Grant a pre-vote only if no leader has been heard from lately and the
    // candidate could win a real vote; nothing changes here either way.
    const bool leader_alive =
        last_heard_from_leader_ >= 0 && host.now() - last_heard_from_leader_ < params_->election_timeout_min;
    const bool granted = m.term > term_ && !leader_alive && log_up_to_date(m.last_log_index, m.last_log_term);
    host.send(from, VoteReply{term_, granted, true});
    return;
  }
  // Thesis 4.2.3: a server that heard from a current leader within the
  // minimum election timeout ignores a vote request (neither its term nor a
  // vote): a removed server, or one partitioned away, cannot depose a healthy
  // leader. A transfer the leader asked for is exempt.
  const bool leader_alive = role_ == Role::kLeader || (role_ == Role::kFollower && leader_ != kNoNode &&
                                                        last_heard_from_leader_ >= 0 &&
                                                        host.now() - last_heard_from_leader_ < params_->election_timeout_min);
  if (!m.transfer && leader_alive) {
    host.send(from, VoteReply{term_, false, false});
    return;
  }
  if (m.term > term_) become_follower(host, m.term, kNoNode);  // Figure 2: adopt a higher term
  const bool restriction_ok =
      params_->mutant == Mutant::kNoElectionRestriction || log_up_to_date(m.last_log_index, m.last_log_term);
  const bool granted = m.term == term_ && (!voted_for_ || *voted_for_ == from) && restriction_ok;
  if (granted) {
    voted_for_ = from;  // one vote per term, durable before it is told (Figure 2)
    persist_term_and_vote(host);
    reset_election_timer(host);
  }
  host.send(from, VoteReply{term_, granted, false});
}

void RaftNode::on_vote_reply(HostT& host, NodeId from, const VoteReply& m) {
  if (m.term > term_) {
    become_follower(host, m.term, kNoNode);
    reset_election_timer(host);
    return;
  }
  if (!m.granted) return;
  // votes_ tallies one round: the pre-votes while pre_voting_, else the
  // votes of the term we stand in. A candidate whose election timed out
  // asks for pre-votes again while still a candidate of its term: a late
  // vote of that term must not join the new round's pre-votes (it did, and
  // with one pre-vote and one late vote a candidate led with 3 of 5 counted
  // but 2 of 5 voting for it, beside the term's real leader: swarm,
  // raft/flapping_link.yaml seed 300930).
  if (m.pre_vote) {
    if (!pre_voting_ || role_ == Role::kLeader) return;
    votes_[from] = true;
  } else {
    if (role_ != Role::kCandidate || pre_voting_ || m.term != term_) return;
    votes_[from] = true;
  }
  if (!quorum([&](NodeId i) { return votes_[i]; })) return;
  if (m.pre_vote) start_election(host, false);
  else become_leader(host);
}

void RaftNode::become_follower(HostT& host, Term term, NodeId leader) {
  const bool changed = role_ != Role::kFollower || term > term_;
  if (term > term_) {
    term_ = term;
    voted_for_.reset();
    persist_term_and_vote(host);
  }
  if (role_ == Role::kLeader) {
    host.cancel_timer(kHeartbeatTimer);
    host.cancel_timer(kBatchTimer);
    batch_pending_ = false;
    // Clients waiting on this leader try elsewhere.
    for (const auto& [index, client] : waiting_clients_)
      host.reply(client, kv::Reply{client, log_.at(index).command().sequence, kv::Reply::Status::kNotLeader, leader, {}, false});
    waiting_clients_.clear();
    drop_pending_reads(host, leader);
  }
  role_ = Role::kFollower;
  pre_voting_ = false;
  leader_ = leader;
  transfer_target_ = kNoNode;
  if (changed) {
    host.emit("follower", {{"term", term_}});
    emit_role(host);
  }
}

void RaftNode::emit_role(HostT& host) const {
  constexpr std::string_view kNames[] = {"follower", "candidate", "leader"};
  host.emit("role", {{"role", kNames[static_cast<int>(role_)]}, {"term", term_}});
}

void RaftNode::become_leader(HostT& host) {
  role_ = Role::kLeader;
  leader_ = self_;
  pre_voting_ = false;
  host.cancel_timer(kElectionTimer);
  next_index_.assign(n_, log_.last_index() + 1);
  probe_next_.assign(n_, 0);
  match_index_.assign(n_, 0);
  last_ack_.assign(n_, host.now());
  if (params_->idle_heartbeats) last_sent_.assign(n_, host.now());
  acked_round_.assign(n_, 0);
  commit_counted_ = false;
  host.emit("leader", {{"term", term_}, {"log", log_.last_index()}});
  emit_role(host);
  // Section 8: a no-op of the new term, so earlier terms' entries commit.
  // (The Figure 8 mutant leaves it out, as the paper's Figure 8 does: its
  // leader commits earlier terms' entries by counting replicas instead.)
  if (params_->mutant != Mutant::kFigure8) {
    log_.append(host.storage(), Entry{term_, true, {}});
    host.storage().sync();
  }
  match_index_[self_] = log_.last_index();
  broadcast_append(host);
  host.set_timer(kHeartbeatTimer, params_->heartbeat_interval);
}

}  // namespace faultline::raft

// The node's entry points (start, message dispatch, timers), and becoming and
// being the Multi-Paxos leader: phase 1 once for all open
// slots, recovery of what a majority accepted, then phase 2 per command.
#include <algorithm>
#include <bit>
#include <limits>

#include "protocols/paxos/multi_paxos_node.hpp"

namespace faultline::paxos {

void MultiPaxosNode::on_start(HostT& host) {
  begin_input();
  load(host);
  role_ = MultiRole::kFollower;
  leader_ = kNoNode;
  highest_seen_ = promised_;
  // Chosen flags are durable; the prefix of chosen slots is where we stand.
  commit_upto_ = 0;
  while (commit_upto_ < log_.size() && log_[commit_upto_].chosen) ++commit_upto_;
  last_applied_ = 0;
  store_ = kv::KvStore();
  host.emit("start", {{"promised", promised_.round}, {"chosen", commit_upto_}});
  emit_role(host, promised_);
  advance_and_apply(host);  // rebuild the state machine from the chosen prefix
  reset_election_timer(host);
}

void MultiPaxosNode::reset_election_timer(HostT& host) {
  host.set_timer(kElectionTimer, host.rng().between(params_->election_timeout_min, params_->election_timeout_max));
}

void MultiPaxosNode::on_message(HostT& host, NodeId from, const MultiMessage& m) {
  begin_input();
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, MultiPrepare>) {
          const MultiPromise reply = on_prepare(host, msg);
          if (reply.ok && role_ != MultiRole::kFollower && msg.ballot > ballot_) step_down(host, msg.ballot);
          if (reply.ok) reset_election_timer(host);  // give the candidate time to win
          host.send(from, reply);
        } else if constexpr (std::is_same_v<T, MultiAccept>) {
          MultiAccepted reply = on_accept(host, msg);
          if (reply.ok) {
            if (role_ != MultiRole::kFollower && msg.ballot > ballot_) step_down(host, msg.ballot);
            leader_ = from;
            reset_election_timer(host);
            learn_from_leader(host, msg.ballot, msg.commit_upto);
          }
          reply.commit_upto = commit_upto_;
          host.send(from, std::move(reply));
        } else if constexpr (std::is_same_v<T, MultiPromise>) {
          on_promise(host, from, msg);
        } else if constexpr (std::is_same_v<T, MultiAccepted>) {
          on_accepted(host, from, msg);
        } else {
          on_chosen(host, msg);
        }
      },
      m);
}

void MultiPaxosNode::on_timer(HostT& host, TimerSlot slot) {
  begin_input();
  if (slot == kElectionTimer) {
    if (role_ != MultiRole::kLeader) start_phase1(host);
    return;
  }
  if (role_ != MultiRole::kLeader) return;
  // The lease: a leader that has not heard a majority for an election
  // timeout steps down, so clients stop waiting on it.
  NodeId heard = 1;
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_ && host.now() - last_heard_[i] < params_->election_timeout_max) ++heard;
  if (heard < majority()) {
    step_down(host, ballot_);
    return;
  }
  send_pending(host, 1);  // heartbeats: the first unanswered slots
  host.set_timer(kHeartbeatTimer, params_->heartbeat_interval);
}

void MultiPaxosNode::start_phase1(HostT& host) {
  role_ = MultiRole::kPreparing;
  ballot_ = Ballot::above(std::max(highest_seen_, promised_), self_);
  highest_seen_ = ballot_;
  first_open_ = commit_upto_ + 1;
  promised_by_.assign(n_, false);
  reported_.clear();
  leader_ = kNoNode;
  waiting_clients_.clear();
  reset_election_timer(host);  // no majority by then: try again, higher
  host.emit("candidate", {{"round", ballot_.round}});
  emit_role(host, ballot_);
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_) host.send(i, MultiPrepare{ballot_, first_open_});
  on_promise(host, self_, on_prepare(host, MultiPrepare{ballot_, first_open_}));
}

void MultiPaxosNode::on_promise(HostT& host, NodeId from, const MultiPromise& m) {
  if (m.ballot != ballot_) return;  // stale
  if (!m.ok) {
    if (m.promised > ballot_) step_down(host, m.promised);
    return;
  }
  if (role_ != MultiRole::kPreparing || promised_by_[from]) return;
  promised_by_[from] = true;
  for (const SlotValue& v : m.accepted) {
    // Keep, per slot, a chosen value if anyone knows one, else the value of
    // the highest ballot: the only one that can have been chosen.
    auto [it, fresh] = reported_.emplace(v.slot, v);
    if (!fresh && !it->second.chosen && (v.chosen || v.ballot > it->second.ballot)) it->second = v;
  }
  if (static_cast<NodeId>(std::count(promised_by_.begin(), promised_by_.end(), true)) >= majority()) become_leader(host);
}

void MultiPaxosNode::become_leader(HostT& host) {
  role_ = MultiRole::kLeader;
  leader_ = self_;
  pending_.clear();
  last_heard_.assign(n_, host.now());
  last_catch_up_.assign(n_, -1);
  host.emit("leader", {{"round", ballot_.round}});
  emit_role(host, ballot_);
  Slot last = commit_upto_;
  if (!reported_.empty()) last = std::max(last, reported_.rbegin()->first);
  // Re-propose every open slot in our ballot: the reported value where there
  // is one, a no-op in the gaps (so later slots can be applied).
  for (Slot s = first_open_; s <= last; ++s) {
    if (s <= commit_upto_) continue;
    Command c;  // a no-op
    if (params_->mutant == Mutant::kNoopFillWithoutCollect) {
      // The bug: trust only our own log; slots we do not hold become no-ops.
      if (s <= log_.size() && log_[s - 1].ballot.is_set()) c = log_[s - 1].command;
    } else if (auto it = reported_.find(s); it != reported_.end()) {
      c = it->second.command;
    }
    propose(host, s, c);
  }
  reported_.clear();
  next_slot_ = last + 1;
  host.storage().sync();
  send_pending(host, std::numeric_limits<std::size_t>::max());  // phase 2 for every open slot
  host.set_timer(kHeartbeatTimer, params_->heartbeat_interval);
  advance_and_apply(host);  // a one-node cluster chooses at once
}

// Phase 2 for one slot, with our own acceptor's vote counted at once.
void MultiPaxosNode::propose(HostT& host, Slot slot, const Command& c) {
  accept_into(host, slot, ballot_, c);
  pending_[slot] = std::uint64_t{1} << self_;
  if (majority() == 1) mark_chosen(host, slot);
}

// Every acceptor gets the pending slots it has not accepted, in order, in
// Accepts of at most max_entries_per_accept entries, at most `accepts` of
// them; with none pending, one empty Accept (a heartbeat).
//
// A heartbeat re-sends one Accept's worth (accepts = 1). A new leader runs
// phase 2 for every open slot at once (Paxos Made Simple, section 3: having
// finished phase 1, the leader "executes phase 2 for instances 135-137 and
// for all instances greater than 139"). It used to send only a heartbeat's
// worth: with one entry an Accept and hundreds of slots left open by a
// churning cluster, its recovery ran at a slot per round trip while clients'
// retries opened new slots faster (swarm, multipaxos/churn.yaml, seed
// 301874: no operation answered in the last 25 s of the run).
void MultiPaxosNode::send_pending(HostT& host, std::size_t accepts) {
  for (NodeId i = 0; i < n_; ++i) {
    if (i == self_) continue;
    MultiAccept a{ballot_, {}, commit_upto_};
    std::size_t sent = 0;
    for (const auto& [slot, mask] : pending_) {
      if (mask >> i & 1) continue;
      a.entries.emplace_back(slot, log_[slot - 1].command);
      if (a.entries.size() >= params_->max_entries_per_accept) {
        host.send(i, std::move(a));
        a = MultiAccept{ballot_, {}, commit_upto_};
        if (++sent == accepts) break;
      }
    }
    if (!a.entries.empty() || sent == 0) host.send(i, std::move(a));
  }
}

void MultiPaxosNode::on_accepted(HostT& host, NodeId from, const MultiAccepted& m) {
  if (!m.ok) {
    if (m.promised > ballot_) step_down(host, m.promised);
    return;
  }
  if (role_ != MultiRole::kLeader || m.ballot != ballot_) return;
  last_heard_[from] = host.now();
  for (Slot s : m.slots) {
    auto it = pending_.find(s);
    if (it == pending_.end()) continue;
    it->second |= std::uint64_t{1} << from;
    if (static_cast<NodeId>(std::popcount(it->second)) >= majority()) mark_chosen(host, s);
  }
  advance_and_apply(host);
  if (m.commit_upto < commit_upto_) send_catch_up(host, from, m.commit_upto + 1);
  // An acceptor that answered for slot s but not for an earlier pending slot
  // probably lost that Accept (or its answer): send it again now rather than
  // at the next heartbeat.
  if (!m.slots.empty()) {
    const Slot latest = *std::max_element(m.slots.begin(), m.slots.end());
    MultiAccept again{ballot_, {}, commit_upto_};
    for (const auto& [slot, mask] : pending_) {
      if (slot >= latest || again.entries.size() >= params_->max_entries_per_accept) break;
      if (!(mask >> from & 1)) again.entries.emplace_back(slot, log_[slot - 1].command);
    }
    if (!again.entries.empty()) host.send(from, std::move(again));
  }
}

void MultiPaxosNode::step_down(HostT& host, const Ballot& higher) {
  highest_seen_ = std::max(highest_seen_, higher);
  const bool was_leading = role_ != MultiRole::kFollower;
  role_ = MultiRole::kFollower;
  pending_.clear();
  waiting_clients_.clear();  // their clients time out and retry elsewhere; sessions dedupe
  host.cancel_timer(kHeartbeatTimer);
  if (was_leading) {
    host.emit("follower", {{"round", higher.round}});
    emit_role(host, higher);
  }
  reset_election_timer(host);
}

void MultiPaxosNode::emit_role(HostT& host, const Ballot& ballot) const {
  constexpr std::string_view kNames[] = {"follower", "candidate", "leader"};
  host.emit("role", {{"role", kNames[static_cast<int>(role_)]}, {"ballot", ballot.round}, {"ballot_node", node_field(ballot.node)}});
}

}  // namespace faultline::paxos

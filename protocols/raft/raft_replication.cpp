// Raft log replication and commitment: section 5.3 (the consistency check,
// truncating conflicts), 5.4.2 (committing only current-term entries by
// counting replicas; Figure 8), fast backtracking with a conflict hint.
#include <algorithm>
#include <array>
#include <functional>
#include <vector>

#include "protocols/raft/raft_node.hpp"

namespace faultline::raft {

void RaftNode::send_append(HostT& host, NodeId to) {
  if (params_->idle_heartbeats) last_sent_[to] = host.now();
  if (next_index_[to] <= log_.base_index()) {
    // The follower needs entries we compacted: send the snapshot instead
    // (paper section 7), and go on from there once it is installed.
    std::string members;
    for (bool m : base_members_) members.push_back(m ? '1' : '0');
    host.send(to, InstallSnapshot{term_, log_.base_index(), log_.base_term(),
                                  host.storage().read("raft/snapshot").value_or(""), std::move(members)});
    next_index_[to] = log_.base_index() + 1;
    return;
  }
  const Index next = next_index_[to];
  const Index prev = next - 1;
  EntryList entries = log_.slice(next, params_->max_entries_per_append);
  // Pipelining: assume it will succeed and send what follows next time; a
  // failure moves next_index back.
  next_index_[to] = next + entries.size();
  // The message made where send takes it (no AppendEntries moved into a Message).
  host.send(to, Message(std::in_place_type<AppendEntries>, term_, prev, log_.term_at(prev), std::move(entries),
                        commit_index_, round_));
}

void RaftNode::broadcast_append(HostT& host, bool heartbeat, Time idle_before) {
  // A server being removed still gets the entry that removes it, so it
  // learns it is out and stays quiet (thesis 4.2.3).
  NodeId leaving = kNoNode;
  if (config_index_ > commit_index_ && config_index_ > log_.base_index() &&
      log_.at(config_index_).command().kind == kv::OpKind::kRemoveServer)
    leaving = log_.at(config_index_).command().server;
  ++round_;  // a new ReadIndex confirmation round: these messages leave after every pending read arrived
  // Every member but us, and the leaving server, once each, in increasing
  // server order (the leaving one in its place among the members).
  if (leaving == self_ || leaving >= n_) leaving = kNoNode;
  // Params::idle_heartbeats: a heartbeat skips a server sent something
  // since `idle_before` that has nothing unsent (streaming and sent all
  // the log, or probing), as libraft's progressShouldReplicate: a server
  // left behind by max_entries_per_append still gets its next entries.
  const auto busy = [&](NodeId i) {
    return heartbeat && idle_before != kNoIdleTest && last_sent_[i] > idle_before &&
           (probe_next_[i] != 0 || next_index_[i] > log_.last_index());
  };
  for (const NodeId i : member_ids_) {
    if (leaving < i) {
      if (!busy(leaving)) send_append(host, leaving);
      leaving = kNoNode;
    } else if (leaving == i) {
      leaving = kNoNode;  // still a member: sent as one
    }
    if (i == self_ || busy(i)) continue;
    if (probe_next_[i] != 0) {
      // Probing (probe_after_refusal): the probe again on a heartbeat, in
      // case it or its answer was lost; nothing behind it until answered.
      if (!heartbeat) continue;
      next_index_[i] = probe_next_[i];
    }
    send_append(host, i);
  }
  if (leaving != kNoNode && !busy(leaving)) send_append(host, leaving);
}

void RaftNode::on_append_entries(HostT& host, NodeId from, const AppendEntries& m) {
  if (m.term < term_) {  // Figure 2: reply false if term < currentTerm
    host.send(from, AppendReply{term_, false, 0, 0, 0});
    return;
  }
  last_heard_from_leader_ = host.now();
  if (m.term > term_ || role_ != Role::kFollower || leader_ != from) become_follower(host, m.term, from);
  reset_election_timer(host);

  // Entries at or below our snapshot's base are committed, so they match
  // the leader's: skip them, and check consistency from the base on.
  if (m.prev_log_index < log_.base_index()) {
    const Index skip = log_.base_index() - m.prev_log_index;
    AppendEntries rest{m.term, log_.base_index(), log_.base_term(), {}, m.leader_commit, m.round};
    if (skip < m.entries.size()) rest.entries.assign(m.entries.begin() + static_cast<std::ptrdiff_t>(skip), m.entries.end());
    on_append_entries(host, from, rest);
    return;
  }
  // The consistency check: our log must hold the leader's previous entry.
  if (m.prev_log_index > log_.last_index()) {
    host.send(from, AppendReply{term_, false, 0, log_.last_index() + 1, 0, m.round, refused(m)});
    return;
  }
  if (log_.term_at(m.prev_log_index) != m.prev_log_term && params_->mutant != Mutant::kSkipConsistencyCheck) {
    const Term conflict = log_.term_at(m.prev_log_index);
    host.send(from, AppendReply{term_, false, 0, log_.first_index_of(conflict), conflict, m.round, refused(m)});
    return;
  }
  DurableStore& store = host.storage();
  Index index = m.prev_log_index;
  bool config_touched = false;  // a configuration entry arrived, or the suffix went
  if (params_->mutant == Mutant::kTruncateWithoutConflict && log_.last_index() > index) {
    // The bug: treat whatever follows the leader's previous entry as a
    // conflict, though this message may be older than what we hold.
    host.emit("truncate", {{"from", index + 1}, {"count", log_.last_index() - index}});
    log_.truncate_from(store, index + 1);
    config_touched = true;
  }
  // The entries we already hold (the same term at the same index) are
  // skipped in one pass: on reordering links most of a resent run is held.
  // (index >= the base here, so at(index + 1) is an entry when one is held.)
  const Entry* e = m.entries.begin();
  const Entry* const end = m.entries.end();
  if (const std::size_t comparable = std::min<std::size_t>(end - e, log_.last_index() - index); comparable != 0) {
    const Entry* const ours = &log_.at(index + 1);
    std::size_t k = 0;
    while (k < comparable && ours[k].term == e[k].term) ++k;
    e += k;
    index += k;
  }
  for (; e != end; ++e) {
    ++index;
    if (index <= log_.last_index()) {
      if (log_.term_at(index) == e->term) continue;  // already have it
      // A conflicting suffix goes (5.3): entries of a leader that never
      // committed them.
      host.emit("truncate", {{"from", index}, {"count", log_.last_index() - index + 1}});
      log_.truncate_from(store, index);
      config_touched = true;
    }
    config_touched = config_touched || (!e->noop && (e->command().kind == kv::OpKind::kAddServer ||
                                                     e->command().kind == kv::OpKind::kRemoveServer));
    log_.append(store, *e);
  }
  if (config_touched) recompute_config();
  const Index match = m.prev_log_index + m.entries.size();
  // Durable before acknowledged, unless the mutant acknowledges first.
  if (params_->mutant != Mutant::kAckBeforeSync) store.sync();
  if (m.leader_commit > commit_index_) commit_index_ = std::max(commit_index_, std::min(m.leader_commit, match));
  host.send(from, AppendReply{term_, true, match, 0, 0, m.round});
  apply_committed(host);
}

void RaftNode::on_append_reply(HostT& host, NodeId from, const AppendReply& m) {
  if (m.term > term_) {
    become_follower(host, m.term, kNoNode);
    reset_election_timer(host);
    return;
  }
  if (role_ != Role::kLeader || m.term != term_) return;
  last_ack_[from] = host.now();
  if (m.round > acked_round_[from]) {
    acked_round_[from] = m.round;
    if (!pending_reads_.empty()) serve_confirmed_reads(host);  // (its own first test, without the call)
  }
  if (m.success) {
    probe_next_[from] = 0;  // it answered: stream again
    match_index_[from] = std::max(match_index_[from], m.match_index);
    next_index_[from] = std::max(next_index_[from], match_index_[from] + 1);
    // An acknowledgement at or below the commit index adds no replica above
    // it, so the quorum is the one the last advance_commit saw (it runs after
    // every other change of match_index_, the members or the commit index),
    // and that one committed all it could: nothing to count again. Not so
    // before the first count of a leadership (become_leader sets its own
    // match without one).
    if (match_index_[from] > commit_index_ || !commit_counted_) advance_commit(host);
    if (next_index_[from] <= log_.last_index()) send_append(host, from);
    if (from == transfer_target_) maybe_send_timeout_now(host);
    return;
  }
  if (params_->probe_after_refusal) {
    // etcd-io/raft's rule: a refusal of a message older than what the
    // follower has acknowledged since, or (while probing) of any message
    // but the probe, says nothing new. The overtaken message's refusal on
    // links that reorder is the common case.
    if (m.refused_index <= match_index_[from]) return;
    if (probe_next_[from] != 0 && m.refused_index + 1 != probe_next_[from]) return;
  }
  // Fast backtracking: skip the follower's whole conflicting term at once.
  Index next = m.conflict_index;
  if (m.conflict_term != 0) {
    const Index ours = log_.last_index_of(m.conflict_term);
    if (ours != 0) next = ours + 1;
  }
  next_index_[from] = std::clamp<Index>(next, match_index_[from] + 1, log_.last_index() + 1);
  if (params_->probe_after_refusal) probe_next_[from] = next_index_[from];
  send_append(host, from);
}

void RaftNode::advance_commit(HostT& host) {
  // Section 5.4.2: commit the highest index a majority holds, but only an
  // entry of the current term by counting (earlier ones commit with it).
  // "A majority holds n" is "n <= the majority-th highest match index among
  // the members", so that index, capped at our log's end, is the highest
  // such n: one pass over the match indexes, not a test per candidate index.
  // Terms never decrease along the log and ours is the highest, so when
  // that entry is of our term every entry above it is too.
  commit_counted_ = true;
  const Index held = params_->mutant == Mutant::kCommitWithoutQuorum ? match_index_[self_] : quorum_match_index();
  const Index highest = std::min(held, log_.last_index());
  if (highest <= commit_index_) return;
  if (params_->mutant != Mutant::kFigure8 && log_.term_at(highest) != term_) return;
  commit_index_ = highest;
  apply_committed(host);
}

Index RaftNode::quorum_match_index() const {
  // The majority-th highest match index among the members: members / 2 + 1
  // of them hold at least it. Only those above the commit index are kept
  // (on the stack for a cluster of up to 16): when fewer than a majority
  // are, the answer is at most the commit index, and the commit index is
  // what we answer (nothing to commit, as the caller sees it).
  const std::size_t members = member_ids_.size();
  if (members == 0) return 0;
  const std::size_t majority = members / 2 + 1;
  if (members > 16) return majority_match_index_above_commit(majority);
  Index above[16];
  std::size_t count = 0;
  for (const NodeId i : member_ids_) {
    const Index match = match_index_[i];
    if (match > commit_index_) above[count++] = match;
  }
  if (count < majority) return commit_index_;
  // A handful: insertion sort, highest first (cheaper than a selection's set-up).
  for (std::size_t k = 1; k < count; ++k)
    for (std::size_t j = k; j > 0 && above[j - 1] < above[j]; --j) std::swap(above[j - 1], above[j]);
  return above[majority - 1];
}

Index RaftNode::majority_match_index_above_commit(std::size_t majority) const {
  std::vector<Index> above;
  for (const NodeId i : member_ids_)
    if (match_index_[i] > commit_index_) above.push_back(match_index_[i]);
  if (above.size() < majority) return commit_index_;
  std::nth_element(above.begin(), above.begin() + static_cast<std::ptrdiff_t>(majority - 1), above.end(),
                   std::greater<Index>());
  return above[majority - 1];
}

// Paper section 7 (InstallSnapshot, receiver): keep any log suffix that
// follows the snapshot and agrees with it, else discard the whole log; load
// the state machine from the snapshot.
void RaftNode::on_install_snapshot(HostT& host, NodeId from, const InstallSnapshot& m) {
  if (m.term < term_) {
    host.send(from, AppendReply{term_, false, 0, 0, 0});
    return;
  }
  last_heard_from_leader_ = host.now();
  if (m.term > term_ || role_ != Role::kFollower || leader_ != from) become_follower(host, m.term, from);
  reset_election_timer(host);
  if (m.last_included_index > commit_index_) {
    const bool suffix_agrees =
        m.last_included_index <= log_.last_index() && log_.term_at(m.last_included_index) == m.last_included_term;
    // Compacting through the snapshot's index keeps what follows only when it agrees.
    if (!suffix_agrees && log_.last_index() > m.last_included_index)
      log_.truncate_from(host.storage(), std::max(log_.base_index(), m.last_included_index) + 1);
    host.storage().write("raft/snapshot", m.data);
    for (NodeId i = 0; i < n_ && i < m.members.size(); ++i) base_members_[i] = m.members[i] == '1';
    host.storage().write("raft/base_members", m.members);
    log_.compact_through(host.storage(), m.last_included_index, m.last_included_term);
    store_ = kv::KvStore::restore(m.data);
    commit_index_ = last_applied_ = m.last_included_index;
    ++snapshots_installed_;
    recompute_config();
    host.storage().sync();
    host.emit("snapshot_installed", {{"index", m.last_included_index}, {"term", m.last_included_term}});
  }
  host.send(from, AppendReply{term_, true, m.last_included_index, 0, 0});
}

}  // namespace faultline::raft

// Client requests and the state machine: the leader appends a request and
// answers when it applies (section 8); followers point to the leader.
#include <algorithm>

#include "protocols/raft/raft_node.hpp"

namespace faultline::raft {

void RaftNode::on_message(HostT& host, NodeId from, const Message& m) {
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, RequestVote>) on_request_vote(host, from, msg);
        else if constexpr (std::is_same_v<T, VoteReply>) on_vote_reply(host, from, msg);
        else if constexpr (std::is_same_v<T, AppendEntries>) on_append_entries(host, from, msg);
        else if constexpr (std::is_same_v<T, AppendReply>) on_append_reply(host, from, msg);
        else if constexpr (std::is_same_v<T, InstallSnapshot>) on_install_snapshot(host, from, msg);
        else on_timeout_now(host, from, msg);
      },
      m);
}

void RaftNode::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  if (role_ != Role::kLeader || transfer_target_ != kNoNode) {
    // During a leadership transfer, new requests go to the new leader (3.10).
    const NodeId hint = role_ == Role::kLeader ? transfer_target_ : leader_;
    host.reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kNotLeader, hint, {}, false});
    return;
  }
  if (kv::is_admin(r.kind)) return on_admin_request(host, client, r);
  if (r.kind == kv::OpKind::kGet && params_->read_index && accept_read(host, client, r)) return;
  log_.append(host.storage(), Entry{term_, false, r});
  waiting_clients_.note(log_.last_index(), client);
  send_now_or_with_batch(host);
}

void RaftNode::send_now_or_with_batch(HostT& host) {
  if (params_->append_batch_delay > 0) {
    // Batching (as etcd-io/raft does between Ready cycles): requests that
    // arrive within the delay leave together, in one sync and one
    // AppendEntries per follower.
    if (!batch_pending_) host.set_timer(kBatchTimer, params_->append_batch_delay);
    batch_pending_ = true;
    return;
  }
  flush_appends(host);
}

void RaftNode::flush_appends(HostT& host) {
  batch_pending_ = false;
  host.storage().sync();  // our own entries are durable before we count ourselves
  match_index_[self_] = log_.last_index();
  broadcast_append(host);
  advance_commit(host);  // a configuration of one commits at once
}

void RaftNode::apply_committed(HostT& host) {
  while (last_applied_ < commit_index_) {
    ++last_applied_;
    const Entry& e = log_.at(last_applied_);
    const kv::Request& command = e.command();
    // A digest of the command, so checkers can compare what nodes applied.
    const std::uint64_t digest = e.noop ? 0 : kv::digest(command);
    host.emit("apply", {{"index", last_applied_}, {"term", e.term}, {"digest", digest}});
    if (e.noop) continue;
    // The session's reply, valid until the next apply; the key hashed once,
    // with the command (an entry whose record would not decode has none).
    const kv::Reply& reply = store_.apply(command, e.shared ? e.shared->key_hash : kv::key_hash(command.key));
    if (command.kind == kv::OpKind::kRemoveServer && command.server == self_ && last_applied_ > removal_committed_) {
      removal_committed_ = last_applied_;  // may_campaign: this removal needs us no more
      host.storage().write("raft/removal_committed", std::to_string(removal_committed_));
    }
    // Thesis 4.2.2: a leader removed by a committed configuration steps down.
    if (command.kind == kv::OpKind::kRemoveServer && command.server == self_ && role_ == Role::kLeader &&
        !is_member(self_)) {
      if (const auto client = waiting_clients_.take(last_applied_)) host.reply(*client, reply);
      become_follower(host, term_, kNoNode);
      continue;
    }
    if (const auto client = waiting_clients_.take(last_applied_)) host.reply(*client, reply);
  }
  if (params_->snapshot_threshold != 0 && last_applied_ - log_.base_index() >= params_->snapshot_threshold)
    take_snapshot(host);
  if (!pending_reads_.empty()) serve_confirmed_reads(host);
}

// Thesis 5.1: each server snapshots its own applied state independently and
// drops the log prefix the snapshot covers. Snapshot and compaction are
// written together and synced, so a crash leaves one or the other whole.
void RaftNode::take_snapshot(HostT& host) {
  host.storage().write("raft/snapshot", store_.snapshot());
  base_members_ = config_at(last_applied_);
  std::string members;
  for (bool m : base_members_) members.push_back(m ? '1' : '0');
  host.storage().write("raft/base_members", members);
  if (keep_compacted_) {
    // What it applied since release_compacted(), as the log holds it until now.
    if (compacted_kept_.empty()) compacted_kept_from_ = std::max(compacted_kept_from_, log_.base_index() + 1);
    for (Index i = compacted_kept_from_ + compacted_kept_.size(); i <= last_applied_; ++i)
      compacted_kept_.push_back(log_.at(i));
  }
  log_.compact_through(host.storage(), last_applied_, log_.term_at(last_applied_));
  recompute_config();
  host.storage().sync();
  host.emit("snapshot", {{"index", last_applied_}});
}

}  // namespace faultline::raft

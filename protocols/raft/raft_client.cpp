// Client requests and the state machine: the leader appends a request and
// answers when it applies (section 8); followers point to the leader.
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
        else on_install_snapshot(host, from, msg);
      },
      m);
}

void RaftNode::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  if (role_ != Role::kLeader) {
    host.reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kNotLeader, leader_, {}, false});
    return;
  }
  log_.append(host.storage(), Entry{term_, false, r});
  host.storage().sync();
  match_index_[self_] = log_.last_index();
  waiting_clients_[log_.last_index()] = client;
  broadcast_append(host);
  if (n_ == 1) advance_commit(host);
}

void RaftNode::apply_committed(HostT& host) {
  while (last_applied_ < commit_index_) {
    ++last_applied_;
    const Entry& e = log_.at(last_applied_);
    // A digest of the command, so checkers can compare what nodes applied.
    const std::uint64_t digest = e.noop ? 0 : kv::digest(e.command);
    host.emit("apply", {{"index", last_applied_}, {"term", e.term}, {"digest", digest}});
    if (e.noop) continue;
    const kv::Reply reply = store_.apply(e.command);
    if (auto it = waiting_clients_.find(last_applied_); it != waiting_clients_.end()) {
      host.reply(it->second, reply);
      waiting_clients_.erase(it);
    }
  }
  if (params_->snapshot_threshold != 0 && last_applied_ - log_.base_index() >= params_->snapshot_threshold)
    take_snapshot(host);
}

// Thesis 5.1: each server snapshots its own applied state independently and
// drops the log prefix the snapshot covers. Snapshot and compaction are
// written together and synced, so a crash leaves one or the other whole.
void RaftNode::take_snapshot(HostT& host) {
  host.storage().write("raft/snapshot", store_.snapshot());
  log_.compact_through(host.storage(), last_applied_, log_.term_at(last_applied_));
  host.storage().sync();
  host.emit("snapshot", {{"index", last_applied_}});
}

}  // namespace faultline::raft

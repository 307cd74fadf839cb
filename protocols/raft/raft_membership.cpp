// Membership changes one server at a time (Ongaro's thesis, chapter 4) and
// leadership transfer (thesis 3.10), both asked for by an operator through
// the client interface.
//
// A configuration is an ordinary log entry; every server uses the latest one
// in its log, committed or not (4.1). The leader appends a change only when
// the previous one is committed and an entry of its own term is committed
// (the fix for the single-server change bug, Ongaro 2015: otherwise a change
// appended by an earlier-term leader, uncommitted and later overwritten, and
// the new one can have disjoint majorities).
#include <algorithm>
#include <string>

#include "protocols/raft/raft_node.hpp"

namespace faultline::raft {

namespace {

bool changes_config(const Entry& e) {
  return !e.noop && (e.command().kind == kv::OpKind::kAddServer || e.command().kind == kv::OpKind::kRemoveServer);
}

void apply_change(std::vector<bool>& members, const Entry& e) {
  if (e.command().server < members.size()) members[e.command().server] = e.command().kind == kv::OpKind::kAddServer;
}

}  // namespace

std::vector<bool> RaftNode::config_at(Index i) const {
  // members_ is the base with every change in the log, the last at
  // config_index_ (0: none): with none after i, that is the answer, and a
  // snapshot's walk over thousands of entries is saved.
  if (config_index_ <= i) return members_;
  std::vector<bool> members = base_members_;
  for (Index k = log_.base_index() + 1; k <= std::min(i, log_.last_index()); ++k)
    if (changes_config(log_.at(k))) apply_change(members, log_.at(k));
  return members;
}

void RaftNode::recompute_config() {
  members_ = base_members_;
  config_index_ = 0;
  for (Index k = log_.base_index() + 1; k <= log_.last_index(); ++k)
    if (changes_config(log_.at(k))) {
      apply_change(members_, log_.at(k));
      config_index_ = k;
    }
  member_ids_.clear();
  for (NodeId i = 0; i < members_.size(); ++i)
    if (members_[i]) member_ids_.push_back(i);
}

bool RaftNode::may_campaign() const {
  if (is_member(self_)) return true;
  // Thesis 4.2.2: "a server that is not part of its own latest
  // configuration should still start new elections, as it might still be
  // needed until the C_new entry is committed"; its own vote does not count
  // (quorum() counts members only). Without this, a leader that appended
  // its own removal and lost leadership before committing it never stood
  // again, and the one member left in C_old with a shorter log could not win
  // its vote: no leader for good (swarm, raft/membership.yaml seed 600534).
  // A server the change adds, or whose removal it knows committed (now, or
  // in an earlier life: removal_committed_), stays quiet.
  return config_index_ > std::max(commit_index_, removal_committed_) && config_at(config_index_ - 1)[self_];
}

void RaftNode::on_admin_request(HostT& host, ClientId client, const kv::Request& r) {
  using Status = kv::Reply::Status;
  const kv::Reply done{r.client, r.sequence, Status::kOk, self_, {}, false};
  const kv::Reply later{r.client, r.sequence, Status::kRetryLater, self_, {}, false};
  if (r.server >= n_) return host.reply(client, done);  // no such server: nothing to do
  if (r.kind == kv::OpKind::kTransferLeader) {
    if (r.server == self_ || !is_member(r.server)) return host.reply(client, done);
    // Thesis 3.10: stop taking requests, bring the target up to date, then
    // tell it to campaign; give up after an election timeout.
    transfer_target_ = r.server;
    transfer_deadline_ = host.now() + params_->election_timeout_max;
    host.emit("transfer", {{"to", r.server}, {"term", term_}});
    maybe_send_timeout_now(host);
    send_append(host, r.server);
    return host.reply(client, done);
  }
  const bool add = r.kind == kv::OpKind::kAddServer;
  if (is_member(r.server) == add) return host.reply(client, done);  // already so
  // One change at a time: the last must be committed before the next.
  if (config_index_ > commit_index_) return host.reply(client, later);
  // The 2015 fix: an entry of this term must be committed first (the no-op
  // a new leader appends makes this quick).
  if (log_.term_at(commit_index_) != term_ && params_->mutant != Mutant::kConfigBeforeTermCommit)
    return host.reply(client, later);
  log_.append(host.storage(), Entry{term_, false, r});
  host.storage().sync();
  recompute_config();
  host.emit("config_change", {{"index", log_.last_index()}, {"server", r.server}, {"add", add ? 1 : 0}});
  match_index_[self_] = log_.last_index();
  waiting_clients_.note(log_.last_index(), client);
  if (add) next_index_[r.server] = std::max<Index>(1, match_index_[r.server] + 1);
  broadcast_append(host);
  advance_commit(host);
}

void RaftNode::maybe_send_timeout_now(HostT& host) {
  if (transfer_target_ == kNoNode || role_ != Role::kLeader) return;
  if (match_index_[transfer_target_] == log_.last_index()) host.send(transfer_target_, TimeoutNow{term_});
}

void RaftNode::on_timeout_now(HostT& host, NodeId from, const TimeoutNow& m) {
  // Campaign at once, without PreVote: the leader itself asked (3.10).
  if (m.term != term_ || from != leader_ || !is_member(self_)) return;
  host.emit("timeout_now", {{"term", term_}});
  transfer_election_ = true;
  start_election(host, false);
}

}  // namespace faultline::raft

// LibraftNode: the host's calls forwarded to its LibraftServer, and the
// typed view checkers read (raft::RaftStateView).
#include "protocols/libraft/libraft_node.hpp"

#include "protocols/libraft/libraft_server.hpp"

namespace faultline::libraft {

LibraftNode::LibraftNode(NodeId self, NodeId cluster_size, const Params& params)
    : server_(std::make_unique<LibraftServer>(self, cluster_size, params)) {}
LibraftNode::~LibraftNode() = default;
LibraftNode::LibraftNode(LibraftNode&&) noexcept = default;
LibraftNode& LibraftNode::operator=(LibraftNode&&) noexcept = default;

void LibraftNode::on_start(HostT& host) { server_->on_start(host); }
void LibraftNode::on_message(HostT& host, NodeId from, const Message& m) { server_->on_message(host, from, m); }
void LibraftNode::on_timer(HostT& host, TimerSlot slot) { server_->on_timer(host, slot); }
void LibraftNode::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  server_->on_client_request(host, client, r);
}

raft::ViewRole LibraftNode::role() const {
  if (!server_->started()) return raft::ViewRole::kFollower;
  switch (server_->raft().state) {
    case RAFT_LEADER: return raft::ViewRole::kLeader;
    case RAFT_CANDIDATE: return raft::ViewRole::kCandidate;
    default: return raft::ViewRole::kFollower;  // RAFT_UNAVAILABLE: see unavailable()
  }
}

raft::ViewTerm LibraftNode::current_term() const { return server_->started() ? server_->raft().current_term : 0; }

std::optional<NodeId> LibraftNode::voted_for() const {
  if (!server_->started() || server_->raft().voted_for == 0) return std::nullopt;
  return static_cast<NodeId>(server_->raft().voted_for - 1);
}

raft::ViewIndex LibraftNode::commit_index() const { return server_->started() ? server_->raft().commit_index : 0; }
raft::ViewIndex LibraftNode::last_applied() const { return server_->started() ? server_->raft().last_applied : 0; }
raft::ViewIndex LibraftNode::log_base_index() const { return server_->log_base(); }
raft::ViewIndex LibraftNode::log_last_index() const { return server_->log_last(); }

raft::ViewTerm LibraftNode::term_at(raft::ViewIndex i) const {
  if (i == server_->log_base()) return server_->log_base_term();
  if (i < server_->log_base() || i > server_->log_last()) return 0;
  return server_->log_at(i).term;
}

std::uint64_t LibraftNode::entry_digest(raft::ViewIndex i) const { return server_->log_at(i).digest; }

std::optional<raft::ViewIndex> LibraftNode::match_index(NodeId) const {
  // Not exposed: libraft's progress match_index is not "the highest index
  // known replicated on the server". A follower answers an AppendEntries
  // that carries no new entry with its own last stored index
  // (src/recv_append_entries.c: result->last_log_index = r->last_stored),
  // past the request's prev_log_index + n_entries, and the leader takes it
  // as the match index, clamped only to its own last index
  // (src/replication.c, replicationUpdate: "If it has a longer log, it
  // might be a leftover from previous terms"). Entries left over from an
  // earlier term are then counted as replicas of the leader's own
  // (scenarios/libraft/membership_churn.yaml seed 20: n4, holding term-100
  // entries up to 138, answers a heartbeat of prev 135 with 138, and n3
  // counts it for its term-102 entry at 136). Reading it would make the
  // observer believe the follower acknowledged what it never held, so the
  // acknowledged-entry part of committed_entry_kept is not checked for
  // libraft; the entries a server is seen holding still are, and a commit
  // made on such a count is caught where it loses the entry
  // (leader_completeness, state_machine_safety). The adapter cannot derive
  // the true value either: a result does not say which request it answers.
  return std::nullopt;
}

bool LibraftNode::leadership_established() const {
  // libraft does not say; the nearest it offers: a majority of voters
  // (itself included) heard from within the election timeout.
  const struct raft& r = server_->raft();
  if (!server_->started() || r.state != RAFT_LEADER) return false;
  unsigned voters = 0, heard = 0;
  for (unsigned i = 0; i < r.configuration.n; ++i) {
    if (r.configuration.servers[i].role != RAFT_VOTER) continue;
    ++voters;
    if (r.configuration.servers[i].id == r.id || r.leader_state.progress[i].recent_recv) ++heard;
  }
  return voters > 0 && heard >= voters / 2 + 1;
}

bool LibraftNode::unavailable() const { return server_->unavailable(); }
std::uint64_t LibraftNode::applied_count() const { return server_->applied_count(); }
const AppliedCommand* LibraftNode::applied(std::uint64_t number) const { return server_->applied(number); }

}  // namespace faultline::libraft

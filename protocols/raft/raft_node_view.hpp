// faultline's RaftNode seen through the checkers' typed view
// (raft_state_view.hpp). A thin adapter, one per node, kept by the
// observer's side: the node itself stays as compact as it was (no vtable
// pointer per node) and its behaviour is untouched.
#pragma once

#include <type_traits>

#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/raft/raft_node.hpp"
#include "protocols/raft/raft_state_view.hpp"

namespace faultline::raft {

class RaftNodeView final : public RaftStateView {
 public:
  RaftNodeView() = default;
  explicit RaftNodeView(const RaftNode& node) : node_(&node) {}
  void bind(const RaftNode& node) { node_ = &node; }

  ViewRole role() const override {
    switch (node_->role()) {
      case Role::kLeader: return ViewRole::kLeader;
      case Role::kCandidate: return ViewRole::kCandidate;
      case Role::kFollower: break;
    }
    return ViewRole::kFollower;
  }
  ViewTerm current_term() const override { return node_->current_term(); }
  std::optional<NodeId> voted_for() const override { return node_->voted_for(); }
  ViewIndex commit_index() const override { return node_->commit_index(); }
  ViewIndex last_applied() const override { return node_->last_applied(); }
  ViewIndex log_base_index() const override { return node_->log().base_index(); }
  ViewIndex log_last_index() const override { return node_->log().last_index(); }
  ViewTerm term_at(ViewIndex i) const override { return node_->log().term_at(i); }
  std::uint64_t entry_digest(ViewIndex i) const override { return digest_of(node_->log().at(i)); }
  // The log read directly: no call per entry.
  void read_entries(ViewIndex from, ViewIndex to, std::vector<ViewEntry>& out) const override {
    const RaftLog& log = node_->log();
    for (ViewIndex i = from; i <= to; ++i) {
      const Entry& e = log.at(i);
      out.push_back({e.term, digest_of(e)});
    }
  }
  // Meaningful only while it leads (match indexes are reinitialised on
  // election, Figure 2).
  std::optional<ViewIndex> match_index(NodeId server) const override {
    if (node_->role() != Role::kLeader) return std::nullopt;
    return node_->match_index()[server];
  }
  bool leadership_established() const override { return node_->leadership_established(); }
  // One call for what the observer reads after every event: plain reads of
  // the node, the log's rewrite count (RaftLog::rewrites()), and a leader's
  // match indexes (one per server; Index is ViewIndex).
  ViewSummary summary() const override {
    static_assert(std::is_same_v<Index, ViewIndex>);
    const RaftLog& log = node_->log();
    const bool leads = node_->role() == Role::kLeader;
    return {role(),           node_->current_term(), node_->commit_index(), node_->last_applied(), log.base_index(),
            log.last_index(), log.rewrites(),        leads ? node_->match_index().data() : nullptr};
  }

 private:
  // A no-op digests to 0, as the "apply" trace event has it; a
  // configuration change is a command (kAddServer, kRemoveServer) and
  // digests as one.
  static std::uint64_t digest_of(const Entry& e) { return e.noop ? 0 : kv::digest(e.command()); }
  const RaftNode* node_ = nullptr;
};

}  // namespace faultline::raft

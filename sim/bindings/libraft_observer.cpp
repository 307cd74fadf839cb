// The interim libraft observer (see libraft_protocol.hpp).
#include "sim/bindings/libraft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

LibraftObserver::LibraftObserver(const Scenario& scenario, const libraft::Params&, Simulation<LibraftProtocol>& sim)
    : sim_(sim), applied_seen_(scenario.node_count(), 0), unavailable_(scenario.node_count(), false) {}

void LibraftObserver::on_crash(Time, NodeId node) {
  applied_seen_[node] = 0;  // a fresh node counts its applied commands from 1
  if (node == leader_) leader_ = kNoNode;
}

void LibraftObserver::after_event(Time t) {
  for (NodeId n = 0; n < sim_.node_count(); ++n) {
    if (!sim_.is_running(n)) continue;
    check_applied(n);
    check_leader(t, n);
    if (sim_.node(n).unavailable()) unavailable_[n] = true;
  }
  if (leader_ != kNoNode && (!sim_.is_running(leader_) || sim_.node(leader_).role() != raft::ViewRole::kLeader))
    leader_ = kNoNode;
}

void LibraftObserver::check_applied(NodeId node) {
  // State Machine Safety (Figure 3): if a server has applied a log entry at
  // a given index, no other server ever applies a different one there.
  const auto& n = sim_.node(node);
  for (std::uint64_t k = applied_seen_[node] + 1; k <= n.applied_count(); ++k) {
    const libraft::AppliedCommand* a = n.applied(k);
    if (a == nullptr) continue;  // more applied in one event than the node keeps: unchecked
    if (applied_.size() < a->index) applied_.resize(a->index);
    Applied& slot = applied_[a->index - 1];
    if (slot.node == kNoNode) {
      slot = {a->term, a->digest, node};
    } else if (slot.term != a->term || slot.digest != a->digest) {
      sim_.report_violation(node, "state_machine_safety",
                            fmt::format("{} applied (term {}, command {:x}) at index {}, where {} applied (term {}, "
                                        "command {:x})",
                                        sim_.node_name(node), a->term, a->digest, a->index, sim_.node_name(slot.node),
                                        slot.term, slot.digest));
    }
  }
  applied_seen_[node] = n.applied_count();
}

void LibraftObserver::check_leader(Time, NodeId node) {
  const auto& n = sim_.node(node);
  const std::uint64_t term = n.current_term();
  if (n.role() == raft::ViewRole::kCandidate) stood_in_term_[term] = true;
  if (n.role() != raft::ViewRole::kLeader) return;
  stood_in_term_[term] = true;
  // Election Safety (Figure 3): at most one leader can be elected in a term.
  auto [it, fresh] = leader_of_term_.emplace(term, node);
  if (!fresh && it->second != node)
    sim_.report_violation(node, "election_safety",
                          fmt::format("{} and {} are both leaders of term {}", sim_.node_name(it->second),
                                      sim_.node_name(node), term));
  if (term > leader_term_ || leader_ == kNoNode) {
    if (leader_ != node) ++leader_changes_;
    leader_ = node;
    leader_term_ = std::max(leader_term_, term);
  }
}

void LibraftObserver::finish(Time, Metrics& metrics) {
  set_scalar(metrics, "elections", static_cast<double>(stood_in_term_.size()));
  set_scalar(metrics, "leader_changes", static_cast<double>(leader_changes_));
  set_scalar(metrics, "unavailable_nodes",
             static_cast<double>(std::count(unavailable_.begin(), unavailable_.end(), true)));
}

}  // namespace faultline

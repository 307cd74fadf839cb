// The interim libraft observer (see libraft_protocol.hpp).
#include "sim/bindings/libraft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

LibraftObserver::LibraftObserver(const Scenario& scenario, const libraft::Params&, Simulation<LibraftProtocol>& sim)
    : sim_(sim),
      applied_seen_(scenario.node_count(), 0),
      led_term_(scenario.node_count(), 0),
      cut_off_(scenario.node_count(), false),
      unavailable_(scenario.node_count(), false) {}

void LibraftObserver::on_crash(Time t, NodeId node) {
  applied_seen_[node] = 0;  // a fresh node counts its applied commands from 1
  if (node == leader_) leader_ = kNoNode;
  if (led_term_[node] != 0) leaders_.left(t, node);
  led_term_[node] = 0;
}

void LibraftObserver::on_connectivity_change(Time t) {
  for (NodeId x = 0; x < sim_.node_count(); ++x) cut_off_[x] = !reaches_majority(sim_.connectivity(), x, sim_.node_count());
  if (leaders_.current() != kNoNode) leaders_.leader_cut_off(t, cut_off_[leaders_.current()]);
}

void LibraftObserver::after_event(Time t) {
  for (NodeId n = 0; n < sim_.node_count(); ++n) {
    if (!sim_.is_running(n)) continue;
    check_applied(t, n);
    check_leader(t, n);
    if (sim_.node(n).unavailable()) unavailable_[n] = true;
  }
  if (leader_ != kNoNode && (!sim_.is_running(leader_) || sim_.node(leader_).role() != raft::ViewRole::kLeader))
    leader_ = kNoNode;
  if (leaders_.awaiting_established()) {
    const NodeId l = leaders_.current();
    if (sim_.is_running(l) && sim_.node(l).current_term() == leaders_.term() && sim_.node(l).leadership_established())
      leaders_.established(t, l, leaders_.term());
  }
}

void LibraftObserver::check_applied(Time t, NodeId node) {
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
    leaders_.committed(t, a->term);
  }
  applied_seen_[node] = n.applied_count();
}

void LibraftObserver::check_leader(Time t, NodeId node) {
  const auto& n = sim_.node(node);
  const std::uint64_t term = n.current_term();
  if (n.role() == raft::ViewRole::kCandidate) stood_in_term_[term] = true;
  if (n.role() != raft::ViewRole::kLeader) {
    if (led_term_[node] != 0) leaders_.left(t, node);
    led_term_[node] = 0;
    return;
  }
  stood_in_term_[term] = true;
  if (led_term_[node] != term) {
    if (led_term_[node] != 0) leaders_.left(t, node);
    led_term_[node] = term;
    leaders_.elected(t, node, term, cut_off_[node]);
  }
  // Election Safety (Figure 3): at most one leader can be elected in a term.
  auto [it, fresh] = leader_of_term_.emplace(term, node);
  if (!fresh && it->second != node)
    sim_.report_violation(node, "election_safety",
                          fmt::format("{} and {} are both leaders of term {}", sim_.node_name(it->second),
                                      sim_.node_name(node), term));
  if (term > leader_term_ || leader_ == kNoNode) {
    leader_ = node;
    leader_term_ = std::max(leader_term_, term);
  }
}

void LibraftObserver::finish(Time, Metrics& metrics) {
  set_scalar(metrics, "elections", static_cast<double>(stood_in_term_.size()));
  leaders_.finish(metrics);
  set_scalar(metrics, "unavailable_nodes",
             static_cast<double>(std::count(unavailable_.begin(), unavailable_.end(), true)));
}

}  // namespace faultline

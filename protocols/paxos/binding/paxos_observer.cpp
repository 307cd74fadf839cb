#include <algorithm>

#include "protocols/paxos/binding/basic_paxos_observer_impl.hpp"
#include "protocols/paxos/binding/paxos_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

template class BasicPaxosObserverFor<BasicPaxosProtocol>;

// ---- Multi-Paxos ----

MultiPaxosObserver::MultiPaxosObserver(const Scenario& scenario, const paxos::MultiParams&,
                                       Simulation<MultiPaxosProtocol>& sim)
    : sim_(sim), chosen_(scenario.node_count()), kept_(scenario.node_count()), seen_(scenario.node_count()) {}

void MultiPaxosObserver::on_client_request(Time, NodeId, ClientId, const kv::Request& r) {
  proposed_.insert(paxos::command_digest(paxos::Command{false, r}));
}

void MultiPaxosObserver::on_crash(Time t, NodeId node) {
  leaders_.left(t, node);
  // The node is replaced by a fresh one: no role, nothing applied.
  seen_[node] = Seen{};
}

void MultiPaxosObserver::on_connectivity_change(Time t) {
  if (leaders_.current() != kNoNode)
    leaders_.leader_cut_off(t, !reaches_majority(sim_.connectivity(), leaders_.current(), sim_.node_count()));
}

void MultiPaxosObserver::report_lost(NodeId node, const std::optional<SafetyViolation>& v) {
  if (v) sim_.report_violation(node, v->invariant, fmt::format("{} {}", sim_.node_name(node), v->message));
}

void MultiPaxosObserver::after_event(Time t) {
  // A restarted acceptor recovers what it synced: all it must keep.
  for (NodeId node : restarted_)
    if (sim_.is_running(node)) {
      look(t, node);
      report_lost(node, kept_.check_all(node, sim_.node(node).acceptor_log()));
    }
  restarted_.clear();
  // Only the node the event was handed to can have changed.
  const NodeId acting = sim_.acting_node();
  if (sim_.is_running(acting)) {
    look(t, acting);
    report_lost(acting, kept_.check_recent(acting, sim_.node(acting).acceptor_log()));
  }
}

// In the order a node's input does them: a change of role comes before the
// acceptances and applies it makes in that input (a node steps down before it
// accepts and learns from a higher ballot; a leader applies only after its
// election).
void MultiPaxosObserver::look(Time t, NodeId node) {
  const paxos::MultiPaxosNode& n = sim_.node(node);
  Seen& seen = seen_[node];
  if (n.role() != seen.role || n.ballot() != seen.ballot) role_changed(t, node, n, seen);
  if (n.inputs() != seen.inputs) {
    seen.inputs = n.inputs();
    for (paxos::Slot slot : n.step_accepts()) accepted(node, slot, n.acceptor_log()[slot - 1]);
  }
  while (seen.applied < n.last_applied()) {
    ++seen.applied;
    applied(t, node, seen.applied, paxos::command_digest(n.acceptor_log()[seen.applied - 1].command));
  }
}

void MultiPaxosObserver::role_changed(Time t, NodeId node, const paxos::MultiPaxosNode& n, Seen& seen) {
  using paxos::MultiRole;
  // A new ballot to stand for: phase 1 started (and, in a cluster small
  // enough, won within the same input).
  if (n.role() != MultiRole::kFollower && n.ballot() != seen.ballot) ++elections_;
  if (n.role() == MultiRole::kLeader && (seen.role != MultiRole::kLeader || n.ballot() != seen.ballot)) {
    // Phase 1 won: a majority promised this ballot, which is the majority's
    // acknowledgement of its authority, so the leader is established at once
    // (Raft's counterpart: its first AppendEntries round answered).
    leaders_.elected(t, node, n.ballot().round);
    leaders_.established(t, node, n.ballot().round);
  } else if (n.role() == MultiRole::kFollower && seen.role != MultiRole::kFollower) {
    leaders_.left(t, node);
  }
  seen.role = n.role();
  seen.ballot = n.ballot();
}

void MultiPaxosObserver::accepted(NodeId node, paxos::Slot slot, const paxos::SlotValue& v) {
  const std::uint64_t digest = paxos::command_digest(v.command);
  if (digest != 0 && !proposed_.count(digest))
    sim_.report_violation(node, "validity", fmt::format("{} accepted command {:x} in slot {}, which no client sent",
                                                        sim_.node_name(node), digest, slot));
  const bool was_chosen = chosen_.chosen(slot).has_value();
  if (auto violation = chosen_.accepted(slot, v.ballot, node, digest))
    sim_.report_violation(node, violation->invariant, violation->message);
  // Who must keep the chosen value: the majority that chose it, and any
  // acceptor that accepts it again in a later ballot.
  if (chosen_.chosen(slot) == digest) {
    if (!was_chosen) {
      for (NodeId i = 0; i < sim_.node_count(); ++i)
        if (chosen_.chosen_by(slot) >> i & 1) kept_.must_keep(i, slot, digest);
    } else if (v.ballot >= chosen_.chosen_ballot(slot)) {
      kept_.must_keep(node, slot, digest);
    }
  }
}

void MultiPaxosObserver::applied(Time t, NodeId node, paxos::Slot slot, std::uint64_t digest) {
  const auto truth = chosen_.chosen(slot);
  if (!truth || *truth != digest)
    sim_.report_violation(node, "learned_wrong_value",
                          truth ? fmt::format("{} applied {:x} in slot {}, but {:x} is the value a majority accepted",
                                              sim_.node_name(node), digest, slot, *truth)
                                : fmt::format("{} applied {:x} in slot {}, where no value is chosen yet",
                                              sim_.node_name(node), digest, slot));
  leaders_.committed_under_current(t);
}

void MultiPaxosObserver::finish(Time, Metrics& metrics) {
  for (NodeId i = 0; i < sim_.node_count(); ++i)
    if (sim_.is_running(i)) report_lost(i, kept_.check_all(i, sim_.node(i).acceptor_log()));
  set_scalar(metrics, "elections", static_cast<double>(elections_));
  set_scalar(metrics, "chosen_slots", static_cast<double>(chosen_.chosen_slots()));
  leaders_.finish(metrics);
}

}  // namespace faultline

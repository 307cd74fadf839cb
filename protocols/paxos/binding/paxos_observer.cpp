#include <algorithm>

#include "protocols/paxos/binding/paxos_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

namespace {

paxos::Ballot ballot_of(std::initializer_list<TraceField> fields) {
  return {static_cast<std::uint64_t>(field_number(fields, "round")), static_cast<NodeId>(field_number(fields, "by"))};
}

}  // namespace

BasicPaxosObserver::BasicPaxosObserver(const Scenario& scenario, const paxos::BasicParams& params,
                                       Simulation<BasicPaxosProtocol>& sim)
    : sim_(sim), chosen_(scenario.node_count()), learned_(scenario.node_count(), false), proposers_(params.proposers) {
  const auto& when = scenario.stop.when;
  stop_when_all_learned_ = std::find(when.begin(), when.end(), "all_learned") != when.end();
}

void BasicPaxosObserver::on_protocol_event(Time t, NodeId node, std::string_view kind,
                                           std::initializer_list<TraceField> fields) {
  if (kind == "propose") {
    proposed_.insert(static_cast<std::uint64_t>(field_number(fields, "value")));
    if (first_proposal_ < 0) first_proposal_ = t;
  } else if (kind == "prepare") {
    ++rounds_;
  } else if (kind == "rejected") {
    ++rejections_;
  } else if (kind == "accepted") {
    const auto value = static_cast<std::uint64_t>(field_number(fields, "digest"));
    if (!proposed_.count(value))
      sim_.report_violation(node, "validity", fmt::format("{} accepted {}, which no proposer proposed",
                                                          sim_.node_name(node), value));
    const bool was_chosen = chosen_.chosen(0).has_value();
    if (auto v = chosen_.accepted(0, ballot_of(fields), node, value)) sim_.report_violation(node, v->invariant, v->message);
    if (!was_chosen && chosen_.chosen(0)) time_to_choose_.push_back(static_cast<double>(t - first_proposal_));
  } else if (kind == "learned") {
    const auto value = static_cast<std::uint64_t>(field_number(fields, "value"));
    const auto truth = chosen_.chosen(0);
    if (!truth || *truth != value)
      sim_.report_violation(node, "learned_wrong_value",
                            truth ? fmt::format("{} learned {}, but {} is the value a majority accepted",
                                                sim_.node_name(node), value, *truth)
                                  : fmt::format("{} learned {} before any value was chosen", sim_.node_name(node), value));
    learned_[node] = true;
    if (stop_when_all_learned_ && std::all_of(learned_.begin(), learned_.end(), [](bool b) { return b; }))
      sim_.request_stop("condition:all_learned");
  }
}

void BasicPaxosObserver::finish(Time, Metrics& metrics) {
  set_scalar(metrics, "rounds", static_cast<double>(rounds_));
  set_scalar(metrics, "rejections", static_cast<double>(rejections_));
  set_scalar(metrics, "chosen", chosen_.chosen(0) ? 1.0 : 0.0);
  set_series(metrics, "time_to_choose_ns", time_to_choose_);
  set_scalar(metrics, "learned_nodes", static_cast<double>(std::count(learned_.begin(), learned_.end(), true)));
  set_scalar(metrics, "unlearned_proposers",
             static_cast<double>(std::count(learned_.begin(), learned_.begin() + proposers_, false)));
}

MultiPaxosObserver::MultiPaxosObserver(const Scenario& scenario, const paxos::MultiParams&,
                                       Simulation<MultiPaxosProtocol>& sim)
    : sim_(sim), chosen_(scenario.node_count()), kept_(scenario.node_count()) {}

void MultiPaxosObserver::on_protocol_event(Time t, NodeId node, std::string_view kind,
                                           std::initializer_list<TraceField> fields) {
  if (kind == "propose") {
    proposed_.insert(static_cast<std::uint64_t>(field_number(fields, "digest")));
  } else if (kind == "accepted") {
    const auto slot = static_cast<std::uint64_t>(field_number(fields, "slot"));
    const auto digest = static_cast<std::uint64_t>(field_number(fields, "digest"));
    if (digest != 0 && !proposed_.count(digest))
      sim_.report_violation(node, "validity", fmt::format("{} accepted command {:x} in slot {}, which no leader proposed",
                                                          sim_.node_name(node), digest, slot));
    const bool was_chosen = chosen_.chosen(slot).has_value();
    if (auto v = chosen_.accepted(slot, ballot_of(fields), node, digest)) sim_.report_violation(node, v->invariant, v->message);
    // Who must keep the chosen value: the majority that chose it, and any
    // acceptor that accepts it again in a later ballot.
    if (chosen_.chosen(slot) == digest) {
      if (!was_chosen) {
        for (NodeId i = 0; i < sim_.node_count(); ++i)
          if (chosen_.chosen_by(slot) >> i & 1) kept_.must_keep(i, slot, digest);
      } else if (ballot_of(fields) >= chosen_.chosen_ballot(slot)) {
        kept_.must_keep(node, slot, digest);
      }
    }
  } else if (kind == "apply") {
    const auto slot = static_cast<std::uint64_t>(field_number(fields, "slot"));
    const auto digest = static_cast<std::uint64_t>(field_number(fields, "digest"));
    const auto truth = chosen_.chosen(slot);
    if (!truth || *truth != digest)
      sim_.report_violation(node, "learned_wrong_value",
                            truth ? fmt::format("{} applied {:x} in slot {}, but {:x} is the value a majority accepted",
                                                sim_.node_name(node), digest, slot, *truth)
                                  : fmt::format("{} applied {:x} in slot {}, where no value is chosen yet",
                                                sim_.node_name(node), digest, slot));
    leaders_.committed_under_current(t);
  } else if (kind == "candidate") {
    ++elections_;
  } else if (kind == "leader") {
    // Phase 1 won: a majority promised this ballot, which is the majority's
    // acknowledgement of its authority, so the leader is established at once
    // (Raft's counterpart: its first AppendEntries round answered).
    const auto round = static_cast<std::uint64_t>(field_number(fields, "round"));
    leaders_.elected(t, node, round);
    leaders_.established(t, node, round);
  } else if (kind == "follower") {
    leaders_.left(t, node);
  }
}

void MultiPaxosObserver::on_connectivity_change(Time t) {
  if (leaders_.current() != kNoNode)
    leaders_.leader_cut_off(t, !reaches_majority(sim_.connectivity(), leaders_.current(), sim_.node_count()));
}

void MultiPaxosObserver::report_lost(NodeId node, const std::optional<SafetyViolation>& v) {
  if (v) sim_.report_violation(node, v->invariant, fmt::format("{} {}", sim_.node_name(node), v->message));
}

void MultiPaxosObserver::after_event(Time) {
  // A restarted acceptor recovers what it synced: all it must keep.
  for (NodeId node : restarted_)
    if (sim_.is_running(node)) report_lost(node, kept_.check_all(node, sim_.node(node).acceptor_log()));
  restarted_.clear();
  // Only the node the event was handed to can have changed its log.
  const NodeId acting = sim_.acting_node();
  if (sim_.is_running(acting)) report_lost(acting, kept_.check_recent(acting, sim_.node(acting).acceptor_log()));
}

void MultiPaxosObserver::finish(Time, Metrics& metrics) {
  for (NodeId i = 0; i < sim_.node_count(); ++i)
    if (sim_.is_running(i)) report_lost(i, kept_.check_all(i, sim_.node(i).acceptor_log()));
  set_scalar(metrics, "elections", static_cast<double>(elections_));
  set_scalar(metrics, "chosen_slots", static_cast<double>(chosen_.chosen_slots()));
  leaders_.finish(metrics);
}

}  // namespace faultline

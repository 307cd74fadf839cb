// BasicPaxosObserverFor's definitions, for the files that instantiate it:
// paxos_observer.cpp (faultline's) and tests.
#pragma once

#include <algorithm>

#include <fmt/format.h>

#include "protocols/paxos/binding/basic_paxos_observer.hpp"
#include "sim/simulation.hpp"

namespace faultline {

template <class P>
BasicPaxosObserverFor<P>::BasicPaxosObserverFor(const Scenario& scenario, const paxos::BasicParams& params,
                                                Simulation<P>& sim)
    : sim_(sim),
      chosen_(scenario.node_count()),
      seen_(scenario.node_count()),
      learned_(scenario.node_count(), false),
      proposers_(params.proposers) {
  const auto& when = scenario.stop.when;
  stop_when_all_learned_ = std::find(when.begin(), when.end(), "all_learned") != when.end();
}

template <class P>
void BasicPaxosObserverFor<P>::on_protocol_event(Time t, NodeId, std::string_view kind, std::initializer_list<TraceField>) {
  if (kind == "propose") {
    if (first_proposal_ < 0) first_proposal_ = t;
  } else if (kind == "prepare") {
    ++rounds_;
  } else if (kind == "rejected") {
    ++rejections_;
  }
}

template <class P>
void BasicPaxosObserverFor<P>::after_event(Time t) {
  for (NodeId node : restarted_) look(t, node);
  restarted_.clear();
  look(t, sim_.acting_node());
}

// An acceptor's (acceptedProposal, acceptedValue) changes only when it
// accepts (or, under the acceptor_not_persisted mutant, when a restart loses
// them); a learner's value only when it learns. One event is one input to one
// node, so it accepts at most once and learns at most once.
template <class P>
void BasicPaxosObserverFor<P>::look(Time t, NodeId node) {
  if (!sim_.is_running(node)) return;
  const paxos::BasicPaxosNode& n = sim_.node(node);
  Seen& seen = seen_[node];
  if (n.accepted_proposal() != seen.accepted || n.accepted_value() != seen.value) {
    seen.accepted = n.accepted_proposal();
    seen.value = n.accepted_value();
    if (seen.accepted.is_set()) accepted(t, node, seen.accepted, seen.value);
  }
  if (n.learned() != seen.learned) {
    seen.learned = n.learned();
    if (seen.learned != 0) learned(node, seen.learned);
  }
}

template <class P>
bool BasicPaxosObserverFor<P>::proposed(paxos::Value value) const {
  for (NodeId i = 0; i < sim_.node_count(); ++i)
    if (sim_.node(i).is_proposer() && sim_.node(i).own_value() == value) return true;
  return false;
}

template <class P>
void BasicPaxosObserverFor<P>::accepted(Time t, NodeId node, const paxos::Ballot& ballot, paxos::Value value) {
  if (!proposed(value))
    sim_.report_violation(node, "validity", fmt::format("{} accepted {}, which no proposer proposed",
                                                        sim_.node_name(node), value));
  const bool was_chosen = chosen_.chosen(0).has_value();
  if (auto v = chosen_.accepted(0, ballot, node, value)) sim_.report_violation(node, v->invariant, v->message);
  if (!was_chosen && chosen_.chosen(0)) time_to_choose_.push_back(static_cast<double>(t - first_proposal_));
}

template <class P>
void BasicPaxosObserverFor<P>::learned(NodeId node, paxos::Value value) {
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

template <class P>
void BasicPaxosObserverFor<P>::finish(Time, Metrics& metrics) {
  set_scalar(metrics, "rounds", static_cast<double>(rounds_));
  set_scalar(metrics, "rejections", static_cast<double>(rejections_));
  set_scalar(metrics, "chosen", chosen_.chosen(0) ? 1.0 : 0.0);
  set_series(metrics, "time_to_choose_ns", time_to_choose_);
  set_scalar(metrics, "learned_nodes", static_cast<double>(std::count(learned_.begin(), learned_.end(), true)));
  set_scalar(metrics, "unlearned_proposers",
             static_cast<double>(std::count(learned_.begin(), learned_.begin() + proposers_, false)));
}

}  // namespace faultline

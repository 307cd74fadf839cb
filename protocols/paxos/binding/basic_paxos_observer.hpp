// The Basic Paxos observer: its checks (agreement, one_value_per_ballot,
// validity, learned_wrong_value; paxos_protocol.hpp lists them) and metrics.
// A template over the protocol struct, as RaftObserverFor is, so a test can
// run it with its protocol-event hook silenced (tests/paxos/
// paxos_typed_observer_test.cpp); BasicPaxosObserver is the one faultline
// runs. Definitions: basic_paxos_observer_impl.hpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "protocols/paxos/basic_paxos_node.hpp"
#include "sim/checkers/chosen_values.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;

// Metrics: rounds (phase-1 attempts, all proposers), rejections,
// time_to_choose_ns (from the first proposal to a majority accepting one
// value), learned_nodes, unlearned_proposers (proposers that never learned
// the value: each keeps proposing until it does, so after the faults heal
// this reaches 0, whereas a node that only accepts learns only from the
// choosing proposer's announcements; docs/swarm.md).
template <class P>
class BasicPaxosObserverFor : public ObserverBase {
 public:
  BasicPaxosObserverFor(const Scenario& scenario, const paxos::BasicParams& params, Simulation<P>& sim);

  // Metrics only: rounds, rejections, the first proposal's time.
  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void on_restart(Time, NodeId node) { restarted_.push_back(node); }
  // The checks: the acceptor and learner state of the node the event was
  // handed to, and of any node it restarted.
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);

 private:
  // What the observer last saw of a node's acceptor and learner.
  struct Seen {
    paxos::Ballot accepted;
    paxos::Value value = 0;
    paxos::Value learned = 0;
  };
  void look(Time t, NodeId node);
  void accepted(Time t, NodeId node, const paxos::Ballot& ballot, paxos::Value value);
  void learned(NodeId node, paxos::Value value);
  bool proposed(paxos::Value value) const;

  Simulation<P>& sim_;
  ChosenValues chosen_;
  std::vector<Seen> seen_;
  std::vector<NodeId> restarted_;  // restarted during this event
  std::vector<bool> learned_;
  NodeId proposers_ = 0;  // nodes 0 .. proposers_-1 propose
  bool stop_when_all_learned_ = false;
  Time first_proposal_ = -1;
  std::vector<double> time_to_choose_;
  std::uint64_t rounds_ = 0, rejections_ = 0;
};

}  // namespace faultline

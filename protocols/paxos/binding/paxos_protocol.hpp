// The Basic Paxos and Multi-Paxos bindings' protocol structs and observers.
//
// Invariants, checked online from what acceptors accepted (ChosenValues):
//   agreement              at most one value chosen per decree / slot, ever,
//                          across crashes and restarts (and P2c)
//   one_value_per_ballot   one value per ballot and slot
//   validity               only a proposed value (or a leader's no-op) is chosen
//   learned_wrong_value    a learner learned, or a replica applied, a value
//                          that is not the chosen one
//   chosen_value_kept      (Multi-Paxos) an acceptor that accepted a slot's chosen
//                          value in the choosing ballot or a later one still holds
//                          it (ChosenKept; after every event and every restart)
// plus, for Multi-Paxos runs with clients, linearizability of their history.
//
// The checks read typed state, never trace events: after every event, the
// node the event was handed to (and any node restarted by it) is looked at:
// a Basic Paxos acceptor's accepted proposal and value and its learned
// value; a Multi-Paxos node's step_accepts() (with its log), its applied
// prefix, its role and ballot (who leads, for LeaderTimeline and the
// leader-targeting nemesis). What was proposed is read the same way: a
// proposer's own value, a client's request as it reaches a node. Renaming or
// dropping a trace event cannot disarm a check. Only metrics (Basic Paxos's
// rounds, rejections and the first proposal's time) count trace events.
#pragma once

#include <set>
#include <vector>

#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/paxos/basic_paxos_node.hpp"
#include "protocols/paxos/multi_paxos_node.hpp"
#include "protocols/paxos/binding/basic_paxos_observer.hpp"
#include "protocols/paxos/binding/chosen_kept.hpp"
#include "sim/checkers/chosen_values.hpp"
#include "sim/checkers/leader_timeline.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct MultiPaxosProtocol;

// Metrics: elections, leader_changes, time_to_leader_ns, unavailable_ns (as
// Raft's, from LeaderTimeline), chosen_slots, and the client workload's.
class MultiPaxosObserver : public ObserverBase {
 public:
  MultiPaxosObserver(const Scenario& scenario, const paxos::MultiParams& params, Simulation<MultiPaxosProtocol>& sim);

  // A client's command, as it reaches a node: what validity allows.
  void on_client_request(Time, NodeId, ClientId, const kv::Request& r);
  void on_crash(Time t, NodeId node);
  void on_restart(Time, NodeId node) { restarted_.push_back(node); }
  void on_connectivity_change(Time t);
  // The checks: the node the event was handed to, and any restarted one.
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);
  NodeId current_leader() const { return leaders_.current(); }

 private:
  // What the observer last saw of a node.
  struct Seen {
    std::uint64_t inputs = 0;  // MultiPaxosNode::inputs(): its step_accepts() read
    paxos::Slot applied = 0;
    paxos::MultiRole role = paxos::MultiRole::kFollower;
    paxos::Ballot ballot;
  };
  void look(Time t, NodeId node);
  void role_changed(Time t, NodeId node, const paxos::MultiPaxosNode& n, Seen& seen);
  void accepted(NodeId node, paxos::Slot slot, const paxos::SlotValue& v);
  void applied(Time t, NodeId node, paxos::Slot slot, std::uint64_t digest);
  void report_lost(NodeId node, const std::optional<SafetyViolation>& v);

  Simulation<MultiPaxosProtocol>& sim_;
  ChosenValues chosen_;
  ChosenKept kept_;                 // who must keep which chosen value
  std::vector<Seen> seen_;
  std::vector<NodeId> restarted_;   // restarted during this event: check all they must keep
  std::set<std::uint64_t> proposed_;  // digests of the client commands nodes were handed
  LeaderTimeline leaders_;
  std::uint64_t elections_ = 0;
};

struct BasicPaxosProtocol;
using BasicPaxosObserver = BasicPaxosObserverFor<BasicPaxosProtocol>;

struct BasicPaxosProtocol {
  using Node = paxos::BasicPaxosNode;
  using Message = paxos::BasicMessage;
  using Reply = std::monostate;
  using Params = paxos::BasicParams;
  using Observer = BasicPaxosObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return paxos::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { paxos::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return paxos::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

struct MultiPaxosProtocol {
  using Node = paxos::MultiPaxosNode;
  using Message = paxos::MultiMessage;
  using Reply = kv::Reply;
  using Params = paxos::MultiParams;
  using Observer = MultiPaxosObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return paxos::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { paxos::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return paxos::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

// The scenario's Basic Paxos parameters, as the binding reads them (for tests).
paxos::BasicParams basic_paxos_params_of(const Scenario& s);

}  // namespace faultline

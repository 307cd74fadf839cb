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
#pragma once

#include <set>
#include <vector>

#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/paxos/basic_paxos_node.hpp"
#include "protocols/paxos/multi_paxos_node.hpp"
#include "protocols/paxos/binding/chosen_kept.hpp"
#include "sim/checkers/chosen_values.hpp"
#include "sim/checkers/leader_timeline.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct BasicPaxosProtocol;
struct MultiPaxosProtocol;

// Metrics: rounds (phase-1 attempts, all proposers), rejections,
// time_to_choose_ns (from the first proposal to a majority accepting one
// value), learned_nodes, unlearned_proposers (proposers that never learned
// the value: each keeps proposing until it does, so after the faults heal
// this reaches 0, whereas a node that only accepts learns only from the
// choosing proposer's announcements; docs/swarm.md).
class BasicPaxosObserver : public ObserverBase {
 public:
  BasicPaxosObserver(const Scenario& scenario, const paxos::BasicParams& params, Simulation<BasicPaxosProtocol>& sim);

  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void finish(Time end, Metrics& metrics);

 private:
  Simulation<BasicPaxosProtocol>& sim_;
  ChosenValues chosen_;
  std::set<std::uint64_t> proposed_;
  std::vector<bool> learned_;
  NodeId proposers_ = 0;  // nodes 0 .. proposers_-1 propose
  bool stop_when_all_learned_ = false;
  Time first_proposal_ = -1;
  std::vector<double> time_to_choose_;
  std::uint64_t rounds_ = 0, rejections_ = 0;
};

// Metrics: elections, leader_changes, time_to_leader_ns, unavailable_ns (as
// Raft's, from LeaderTimeline), chosen_slots, and the client workload's.
class MultiPaxosObserver : public ObserverBase {
 public:
  MultiPaxosObserver(const Scenario& scenario, const paxos::MultiParams& params, Simulation<MultiPaxosProtocol>& sim);

  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void on_crash(Time t, NodeId node) { leaders_.left(t, node); }
  void on_restart(Time, NodeId node) { restarted_.push_back(node); }
  void on_connectivity_change(Time t);
  // Reads the log of the acceptor that handled the event, and of any restarted one (chosen_value_kept).
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);
  NodeId current_leader() const { return leaders_.current(); }

 private:
  void report_lost(NodeId node, const std::optional<SafetyViolation>& v);

  Simulation<MultiPaxosProtocol>& sim_;
  ChosenValues chosen_;
  ChosenKept kept_;                 // who must keep which chosen value
  std::vector<NodeId> restarted_;   // restarted during this event: check all they must keep
  std::set<std::uint64_t> proposed_;  // digests of client commands proposed
  LeaderTimeline leaders_;
  std::uint64_t elections_ = 0;
};

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

}  // namespace faultline

// The SWIM binding's protocol struct and observer.
//
// Metrics:
//   detect_first_suspect_ns  per crash: until some member suspects the crashed node
//   detect_dead_ns           per crash: until some member declares it dead
//   detect_all_aware_ns      per crash: until every running member holds it dead
//   false_positives          live members declared dead at an incarnation of their
//                            current life (each (member, incarnation) once)
//   join_all_aware_ns        per join: until every running member holds the joiner alive
//   refutations, view_entries_per_node (membership entries a node stores beyond the shared base view)
//   unconverged_pairs        at the end, ordered pairs (observer, member) of a running
//                            member whose view is still wrong longer than the
//                            convergence bound after the last fault change (crash,
//                            restart, pause, resume, partition or heal) or after
//                            the view entry changed: it holds a running member dead,
//                            left or unknown, or a crashed or departed member alive
//                            or suspect (only an observer that was up when that
//                            member went: SWIM has no state transfer on rejoin, so a
//                            restarted member learns of an old death only by
//                            probing the dead member itself, (n-1) periods on
//                            average). A running member suspected is not wrong:
//                            a suspect is still a member (SWIM 4.2) until its
//                            suspicion times out. The liveness expectation of
//                            swarm mode (max: 0); the bound is convergence_bound.
// Invariants (online):
//   no_false_dead          only where the network is reliable (no loss, no
//                          partitions, no pauses): no running member is declared dead
//   incarnation_monotonic  a member never runs at an incarnation at or below one it
//                          ran at in an earlier life (SWIM 4.2 orders a member's
//                          updates by incarnation; reusing one lets its old
//                          suspicions and deaths beat its new alive). Read from the
//                          member's typed state after each input that changed its
//                          incarnation (a refutation, a restart) and at its
//                          crash; needs each new incarnation synced (broken
//                          by params.mutant=refute_not_synced).
// Both, and every metric, read typed state, never trace events: after each
// input, the node's SwimNode::changes() (empty for nearly every input).
#pragma once

#include <map>
#include <set>
#include <vector>

#include "protocols/gossip/swim_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

template <class P>
class Simulation;
struct SwimProtocol;

class SwimObserver : public ObserverBase {
 public:
  SwimObserver(const Scenario& scenario, const swim::SwimParams& params, Simulation<SwimProtocol>& sim);

  // The node each input is handed to; after the event, its changes() are
  // taken in. Nearly every input changes nothing: the test for that is
  // inline in the event loop (a template only so that its body compiles
  // there, where Simulation is complete).
  void on_input(Time, NodeId node) { input_node_ = node; }
  template <class Sim = Simulation<SwimProtocol>>
  void after_event(Time t) {
    Sim& sim = sim_;
    const NodeId node = input_node_;
    if (node == kNoNode) return;  // a fault, a nemesis step: no input
    input_node_ = kNoNode;
    if (!sim.node(node).changes().empty()) [[unlikely]] take_changes(t, node);
  }
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  void before_crash(Time t, NodeId node);
  void on_pause(Time t, NodeId) { last_fault_change_ = t; }
  void on_resume(Time t, NodeId) { last_fault_change_ = t; }
  void on_connectivity_change(Time t) { last_fault_change_ = t; }
  void finish(Time end, Metrics& metrics);

  // How long a wrong view may last after the last fault change, from the
  // SWIM paper's analysis with the protocol period T (scaled by Lifeguard's
  // local health multiplier at its worst): a failed member goes unprobed by
  // every member for k periods with probability about e^-k (section 3.1: the
  // expected time to a first detection is e/(e-1) T), k = 20 here; its
  // suspicion then times out (section 4.2; the longest, with no
  // confirmations), checked on the next probe tick; and each update reaches
  // every member within the lambda log n periods it is retransmitted for
  // (section 4.1), once for the suspicion or death and once for a refutation.
  static Duration convergence_bound(const swim::SwimParams& p, Duration longest_suspicion,
                                    std::uint32_t retransmit_limit);

 private:
  struct Watch {
    Time since;
    bool first_suspect = false, first_dead = false;
    std::set<NodeId> aware;
  };
  // Each change `node`'s last input made, in order: metrics and no_false_dead.
  void take_changes(Time t, NodeId node);
  void learned(Time t, NodeId node, const swim::ViewChange& c);
  bool everyone_aware(const Watch& w, NodeId subject) const;
  std::uint64_t unconverged_pairs(Time end) const;

  Simulation<SwimProtocol>& sim_;
  bool strict_accuracy_;
  std::map<NodeId, Watch> crashed_, joined_;
  std::vector<double> first_suspect_, dead_, all_aware_, join_aware_;
  std::uint64_t false_positives_ = 0, refutations_ = 0;
  std::set<std::pair<NodeId, std::uint32_t>> false_deaths_;  // (member, incarnation) wrongly declared dead
  const swim::SwimParams& params_;
  Time last_fault_change_ = 0;     // the last crash, restart, pause, resume or connectivity change
  NodeId input_node_ = kNoNode;    // handed an input in the current event (on_input)
  std::vector<Time> started_at_;   // per node: its last start
  std::vector<std::int64_t> earlier_lives_incarnation_;  // per node: the highest it ran at before its last crash (-1: none)
  void check_incarnation(NodeId node);
  std::vector<Time> gone_at_;      // per node: when it crashed or left (-1: it is a member or never was)
};

struct SwimProtocol {
  using Node = swim::SwimNode;
  using Message = swim::Message;
  using Reply = std::monostate;
  using Params = swim::SwimParams;
  using Observer = SwimObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return swim::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { swim::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return swim::message_bytes(m); }
  // What the nodes share for the run: the parameters, and the record of
  // what the input being handled changed (swim::SwimShared).
  using Shared = swim::SwimShared;
  static Node make_node(NodeId self, NodeId n, Shared& shared) { return Node(self, n, shared); }
};

// A section of SWIM parameters read as `swim` reads its `params` (for a
// protocol that runs SWIM inside, as `consul` does on every node).
swim::SwimParams read_swim_params(YamlSection& params, const Scenario& s);

}  // namespace faultline

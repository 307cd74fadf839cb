// The SWIM binding's protocol struct and observer.
//
// Metrics:
//   detect_first_suspect_ns  per crash: until some member suspects the crashed node
//   detect_dead_ns           per crash: until some member declares it dead
//   detect_all_aware_ns      per crash: until every running member holds it dead
//   false_positives          live members declared dead (each (member, incarnation) once)
//   join_all_aware_ns        per join: until every running member holds the joiner alive
//   refutations, view_entries_per_node (membership entries a node stores beyond the shared base view)
// Invariant (online), only where the network is reliable (no loss, no
// partitions, no pauses): no_false_dead, no running member is declared dead.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "protocols/gossip/swim_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct SwimProtocol;

class SwimObserver : public ObserverBase {
 public:
  SwimObserver(const Scenario& scenario, const swim::SwimParams& params, Simulation<SwimProtocol>& sim);

  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  void finish(Time end, Metrics& metrics);

 private:
  struct Watch {
    Time since;
    bool first_suspect = false, first_dead = false;
    std::set<NodeId> aware;
  };
  bool everyone_aware(const Watch& w, NodeId subject) const;

  Simulation<SwimProtocol>& sim_;
  bool strict_accuracy_;
  std::map<NodeId, Watch> crashed_, joined_;
  std::vector<double> first_suspect_, dead_, all_aware_, join_aware_;
  std::uint64_t false_positives_ = 0, refutations_ = 0;
  std::set<std::pair<NodeId, std::uint32_t>> false_deaths_;  // (member, incarnation) wrongly declared dead
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
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

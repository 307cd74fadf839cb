// The gossip binding's protocol struct and observer.
//
// Metrics (per key, for its latest version):
//   time_to_full_ns, rounds_to_full  from injection until every running node holds it
//   time_to_99pct_ns                 ... until 99% of running nodes do
//   residue                          fraction of running nodes without it at the end
//   messages_per_node, bytes_per_node, redundant_deliveries, removed
// Invariants (online):
//   version_monotonic      a node's version of a key never goes backwards
//   version_was_written    no node holds a version before it was injected
#pragma once

#include <vector>

#include "protocols/gossip/dissemination_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct GossipProtocol;

class GossipObserver : public ObserverBase {
 public:
  GossipObserver(const Scenario& scenario, const gossip::DisseminationParams& params, Simulation<GossipProtocol>& sim);

  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  void finish(Time end, Metrics& metrics);

 private:
  struct KeyState {
    std::uint32_t latest = 0;          // newest version injected so far
    Time injected_at = 0;
    std::uint64_t holders = 0;         // running nodes holding `latest`
    bool reached_99 = false, reached_full = false;
    std::vector<std::uint32_t> held;   // per node; allocated when the key is first injected
  };
  void check_progress(Time t, std::uint16_t key);

  Simulation<GossipProtocol>& sim_;
  const gossip::DisseminationParams& params_;
  std::vector<KeyState> keys_;
  std::uint64_t running_;
  std::size_t injected_ = 0;
  bool stop_when_all_informed_ = false;
  std::uint64_t removed_ = 0;
  std::vector<double> time_to_full_, rounds_to_full_, time_to_99_;
};

struct GossipProtocol {
  using Node = gossip::DisseminationNode;
  using Message = gossip::Message;
  using Reply = std::monostate;
  using Params = gossip::DisseminationParams;
  using Observer = GossipObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return gossip::message_type_name(m); }
  // Byte accounting needs the payload size, which is a parameter.
  static std::uint32_t message_bytes(const Message& m, const Params& p) { return gossip::message_bytes(m, p.value_bytes); }
  static Node make_node(NodeId, NodeId, const Params& p) { return Node(p); }
};

}  // namespace faultline

// The consul binding's protocol struct: a composite node (servers run Raft
// and SWIM, agents SWIM with checks and anti-entropy; protocols/consul), its
// observer consul_observer.hpp.
#pragma once

#include "protocols/consul/consul_node.hpp"
#include "protocols/consul/binding/consul_observer.hpp"

namespace faultline {

// The scenario's params as the binding reads them (exit-2 errors on bad
// input); for tests that build a Simulation<ConsulProtocol> themselves.
consul::Params read_consul_params(const Scenario& s);

struct ConsulProtocol {
  using Node = consul::ConsulNode;
  using Message = consul::Message;
  using Reply = kv::Reply;
  using Params = consul::Params;
  using Observer = ConsulObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return consul::message_type_name(m); }
  template <class F>
  static void message_fields(const Message& m, F&& field) { consul::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return consul::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

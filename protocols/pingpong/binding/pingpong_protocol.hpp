// The ping-pong binding's protocol struct and observer, shared with the
// engine benchmark (sim/bench/pingpong_benchmark.cpp).
#pragma once

#include "protocols/pingpong/pingpong_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct PingPongProtocol;

class PingPongObserver : public ObserverBase {
 public:
  PingPongObserver(const Scenario&, const pingpong::Params&, Simulation<PingPongProtocol>& sim) : sim_(sim) {}
  void finish(Time end, Metrics& metrics);

 private:
  Simulation<PingPongProtocol>& sim_;
};

struct PingPongProtocol {
  using Node = pingpong::PingPongNode;
  using Message = pingpong::Message;
  using Reply = std::monostate;
  using Params = pingpong::Params;
  using Observer = PingPongObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return pingpong::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { pingpong::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return pingpong::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

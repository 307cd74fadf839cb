// The hooks a protocol's Observer (its checkers and metrics) may implement.
// Derive from ObserverBase and override by name hiding: the simulation calls
// these on the concrete type, so an empty hook costs nothing.
//
//   on_protocol_event  every Host::emit of every node
//   before_crash       the node is about to lose its volatile state: last look (optional)
//   on_crash / on_restart / on_pause / on_resume / on_connectivity_change
//   after_event        after every event: online safety checks (optional; only
//                      called when the observer declares it)
//   on_input           a running node is about to be handed an input: a delivery,
//                      a timer, a client request, its start (optional)
//   on_client_request  a running node is about to be handed a client request (optional)
//   before_timer       a running node's timer is about to fire (optional)
//   on_reply           a node answered a client (optional)
//   on_send            a node sent a message, before the network decides its fate (optional)
//   finish             the run ended: add metrics
#pragma once

#include <initializer_list>
#include <string_view>

#include "protocols/host/time.hpp"
#include "protocols/host/trace_field.hpp"
#include "sim/run/run_result.hpp"

namespace faultline {

struct ObserverBase {
  void on_protocol_event(Time, NodeId, std::string_view, std::initializer_list<TraceField>) {}
  void on_crash(Time, NodeId) {}
  void on_restart(Time, NodeId) {}
  void on_pause(Time, NodeId) {}
  void on_resume(Time, NodeId) {}
  void on_connectivity_change(Time) {}
  void finish(Time, Metrics&) {}
};

// The value of a named numeric field of a protocol event, or `fallback`.
inline std::int64_t field_number(std::initializer_list<TraceField> fields, std::string_view key,
                                 std::int64_t fallback = -1) {
  for (const auto& f : fields)
    if (f.key == key && !f.is_text) return f.number;
  return fallback;
}

}  // namespace faultline

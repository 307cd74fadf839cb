// A Host for a protocol that runs inside another: one of the inner state
// machines of a composite node (a Consul server runs Raft and SWIM side by
// side), seen by that inner protocol as an ordinary Host.
//
// What the sub-host does with each action of the inner protocol:
//   send      wraps the inner message into the composite's message (Route::wrap),
//             so on receipt the composite hands it back to the same inner protocol
//   timers    slot s becomes the composite's slot first_slot + s (each inner
//             protocol owns a disjoint range of the composite's slots)
//   rng       the inner protocol's own stream (held by the composite, seeded
//             from the node's stream at start), so a draw in one inner
//             protocol never shifts the numbers another sees
//   storage   the node's store, unchanged: each inner protocol names its keys
//             under its own prefix ("raft/", "swim/"), and at most one of them
//             may use the record log (the composite declares which)
//   reply     handed to Route::reply, which either passes it on to the
//             composite's clients or keeps it (a reply to the composite itself)
//   emit      passed through to the node's trace, and only there: a composite
//             reacts to an inner protocol's typed state (Consul reads SWIM's
//             SwimNode::changes() after each call), never to its events
//   now, self the node's; cluster_size is the inner protocol's own (Raft runs
//             on the servers only, SWIM on every node)
// Crash, restart, pause and partitions are the node's, so every inner
// protocol shares them without being told.
//
// A sub-host is built on the stack for one call into the inner protocol: it
// holds references, nothing else.
#pragma once

#include <utility>

#include "protocols/host/host.hpp"

namespace faultline {

// Route: what the composite does with the inner protocol's messages and
// replies. Needs
//   OuterMessage wrap(InnerMessage&&) const;
//   void reply(Host<OuterMessage, OuterReply>& outer, ClientId, InnerReply&&);
template <class OuterMessage, class OuterReply, class InnerMessage, class InnerReply, class Route>
class SubHost final : public Host<InnerMessage, InnerReply> {
 public:
  using Outer = Host<OuterMessage, OuterReply>;

  SubHost(Outer& outer, TimerSlot first_slot, NodeId cluster_size, Rng& rng, Route& route)
      : outer_(outer), first_slot_(first_slot), cluster_size_(cluster_size), rng_(rng), route_(route) {}

  Time now() const override { return outer_.now(); }
  NodeId self() const override { return outer_.self(); }
  NodeId cluster_size() const override { return cluster_size_; }
  void send(NodeId to, InnerMessage message) override { outer_.send(to, route_.wrap(std::move(message))); }
  void set_timer(TimerSlot slot, Duration after) override { outer_.set_timer(first_slot_ + slot, after); }
  void cancel_timer(TimerSlot slot) override { outer_.cancel_timer(first_slot_ + slot); }
  Rng& rng() override { return rng_; }
  DurableStore& storage() override { return outer_.storage(); }
  void reply(ClientId client, InnerReply reply) override { route_.reply(outer_, client, std::move(reply)); }
  void emit(std::string_view kind, std::initializer_list<TraceField> fields) override { outer_.emit(kind, fields); }

 private:
  Outer& outer_;
  TimerSlot first_slot_;
  NodeId cluster_size_;
  Rng& rng_;
  Route& route_;
};

}  // namespace faultline

// The narrow interface through which a protocol node acts on the world.
//
// A protocol node is a plain class. The host calls it on four inputs:
//
//   void on_start(Host&);                               // boot or restart
//   void on_message(Host&, NodeId from, const Message&);
//   void on_timer(Host&, TimerSlot);
//   void on_client_request(Host&, ClientId, const Request&);   // if it has clients
//
// and the node acts only through the Host it is handed: read the time, send,
// set or cancel a timer, draw from its own random stream, write and sync
// durable storage, reply to a client, emit a trace event. It never reads a
// real clock, uses global randomness, threads, files or sockets, and it never
// includes anything from sim/ (a test enforces this), so the same class can run
// over real sockets with a Host that wraps them.
//
// Ordering rule for the host (as etcd-io/raft's Ready): a node that must
// persist before a message leaves calls storage().sync() before send(); the
// simulator applies actions in call order, so that order is honoured.
#pragma once

#include <initializer_list>
#include <string_view>
#include <variant>

#include "protocols/host/durable_store.hpp"
#include "protocols/host/rng.hpp"
#include "protocols/host/time.hpp"
#include "protocols/host/trace_field.hpp"

namespace faultline {

template <class Message, class Reply = std::monostate>
class Host {
 public:
  virtual ~Host() = default;

  // This node's local clock. It runs at the node's drift rate, so a node with
  // a fast clock sees time pass faster than the simulation does.
  virtual Time now() const = 0;
  virtual NodeId self() const = 0;
  // How many nodes the cluster was configured with (ids 0 .. cluster_size-1).
  virtual NodeId cluster_size() const = 0;

  virtual void send(NodeId to, Message message) = 0;

  // Arms `slot` to fire after `after` of this node's local time, replacing any
  // timer pending in that slot.
  virtual void set_timer(TimerSlot slot, Duration after) = 0;
  virtual void cancel_timer(TimerSlot slot) = 0;

  // This node's own stream, derived from the master seed and the node id.
  virtual Rng& rng() = 0;
  virtual DurableStore& storage() = 0;

  virtual void reply(ClientId client, Reply reply) = 0;

  // A protocol event for the trace (role change, suspicion, commit, ...).
  virtual void emit(std::string_view kind, std::initializer_list<TraceField> fields) = 0;
};

}  // namespace faultline

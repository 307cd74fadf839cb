// Primary-backup replication of the key-value store: the smallest protocol
// with clients, used to prove the key-value workload and the linearizability
// checker end to end before Raft and Multi-Paxos.
//
// Node 0 is the primary, for ever (no failover: while it is down the store is
// unavailable, which is correct, if not useful). It applies each request to
// its store after writing it to durable storage and syncing, replies, and
// ships the request to every backup asynchronously, numbered. Backups apply
// updates in number order and redirect clients to the primary.
//
// Mutant `follower_reads`: backups answer reads from their own copy. A backup
// lags the primary, so a client can read an old value after a newer write was
// acknowledged: a linearizability violation the checker must find.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <variant>

#include "protocols/host/host.hpp"
#include "protocols/host/trace_field.hpp"
#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/kv/kv_store.hpp"

namespace faultline::primary_backup {

struct Params {
  bool follower_reads = false;  // the mutant
};

// The primary's update to a backup: the index-th request it applied.
struct Update {
  std::uint64_t index = 0;
  kv::Request request;
};
using Message = Update;

inline std::string_view message_type_name(const Message&) { return "update"; }
inline std::uint32_t message_bytes(const Message& m) {
  return static_cast<std::uint32_t>(32 + m.request.key.size() + m.request.value.size() + m.request.expected.size());
}

// What a trace line says about a message besides its type
// (docs/trace-format.md): the update's index and the request it applies.
template <class F>
void message_fields(const Message& m, F&& field) {
  field(TraceField{"index", m.index});
  field(TraceField{"client", m.request.client});
  field(TraceField{"op", kv::op_name(m.request.kind)});
  field(TraceField{"key", std::string_view(m.request.key)});
  field(TraceField{"value", std::string_view(m.request.value)});
}

class PrimaryBackupNode {
 public:
  using HostT = Host<Message, kv::Reply>;
  static constexpr TimerSlot kTimerSlots = 1;
  static constexpr NodeId kPrimary = 0;

  PrimaryBackupNode(NodeId self, NodeId cluster_size, const Params& params)
      : self_(self), cluster_size_(cluster_size), params_(params) {}

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT&, TimerSlot) {}
  void on_client_request(HostT& host, ClientId client, const kv::Request& r);

  std::uint64_t applied() const { return applied_; }
  const kv::KvStore& store() const { return store_; }

 private:
  bool is_primary() const { return self_ == kPrimary; }

  NodeId self_;
  NodeId cluster_size_;
  Params params_;
  kv::KvStore store_;
  // Invariant: requests 1..applied_ are in store_, in order; pending_ holds
  // updates that arrived ahead of a gap (backups only).
  std::uint64_t applied_ = 0;
  std::map<std::uint64_t, kv::Request> pending_;
};

}  // namespace faultline::primary_backup

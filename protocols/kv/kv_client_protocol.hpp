// The key-value client protocol every replicated store in faultline speaks
// (primary-backup today; Raft and Multi-Paxos share it): one request type, one
// reply type, so the workload, its metrics and the linearizability checker
// are written once.
//
// Sessions: a client numbers its requests 1, 2, 3, ...; a retry of the same
// request carries the same number, so a store that remembers the last number
// applied per client applies a retried request once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/host/time.hpp"

namespace faultline::kv {

enum class OpKind : std::uint8_t {
  kGet, kPut, kAppend, kCas,
  // Operator requests, for stores that support them (Raft, thesis ch. 3-4):
  // add or remove one server, or hand leadership to one. `server` names it.
  kAddServer, kRemoveServer, kTransferLeader,
};

inline bool is_admin(OpKind k) { return k >= OpKind::kAddServer; }

struct Request {
  ClientId client = 0;
  std::uint64_t sequence = 0;  // per client, from 1; the same on retries
  OpKind kind = OpKind::kGet;
  std::string key;
  std::string value;     // put / append argument; cas: the new value
  std::string expected;  // cas: the value it must find
  NodeId server = kNoNode;  // admin requests: the server concerned
};

struct Reply {
  enum class Status : std::uint8_t {
    kOk,         // applied (or read); see value / cas_ok
    kNotLeader,  // ask leader_hint instead (kNoNode: no idea)
    kRetryLater, // admin requests: the leader cannot take it yet (a change in progress)
  };
  ClientId client = 0;
  std::uint64_t sequence = 0;
  Status status = Status::kOk;
  NodeId leader_hint = kNoNode;
  std::string value;    // get: the value read ("" when absent)
  bool cas_ok = false;  // cas: whether it swapped
};

// A digest that names a request (client, sequence), so checkers can compare
// what replicas applied without comparing strings. Never 0, which stands for
// a no-op.
inline std::uint64_t digest(const Request& r) {
  return ((static_cast<std::uint64_t>(r.client) + 1) << 40) ^ r.sequence;
}

inline std::string_view op_name(OpKind k) {
  switch (k) {
    case OpKind::kGet: return "get";
    case OpKind::kPut: return "put";
    case OpKind::kAppend: return "append";
    case OpKind::kCas: return "cas";
    case OpKind::kAddServer: return "add_server";
    case OpKind::kRemoveServer: return "remove_server";
    case OpKind::kTransferLeader: return "transfer_leader";
  }
  return "?";
}

}  // namespace faultline::kv

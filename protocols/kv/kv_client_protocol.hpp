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

enum class OpKind : std::uint8_t { kGet, kPut, kAppend, kCas };

struct Request {
  ClientId client = 0;
  std::uint64_t sequence = 0;  // per client, from 1; the same on retries
  OpKind kind = OpKind::kGet;
  std::string key;
  std::string value;     // put / append argument; cas: the new value
  std::string expected;  // cas: the value it must find
};

struct Reply {
  enum class Status : std::uint8_t {
    kOk,         // applied (or read); see value / cas_ok
    kNotLeader,  // ask leader_hint instead (kNoNode: no idea)
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
  }
  return "?";
}

}  // namespace faultline::kv

// A client history of a replicated key-value store: what each client asked,
// when, and what it was told. The input of the linearizability checker, shared
// by every protocol with the key-value workload (Raft, Multi-Paxos).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline {

struct KvOperation {
  enum class Kind : std::uint8_t { kGet, kPut, kAppend, kCas };
  static constexpr Time kNever = std::numeric_limits<Time>::max();

  std::uint32_t client = 0;
  Kind kind = Kind::kGet;
  std::string key;
  std::string value;     // put / append argument; cas: the new value
  std::string expected;  // cas: the value it must find
  Time invoked = 0;
  // When the client got its answer, or kNever: no answer (timed out, or the
  // client gave up). Such an operation may have taken effect at any time
  // after it was invoked, or not at all.
  Time completed = kNever;
  std::string output;    // get: the value read ("" when absent)
  bool cas_ok = false;   // cas: whether it reported success

  bool answered() const { return completed != kNever; }
};

using KvHistory = std::vector<KvOperation>;

// Invocation order, ties broken by client: the order the checker and the CSV use.
inline bool invoked_before(const KvOperation& a, const KvOperation& b) {
  return a.invoked != b.invoked ? a.invoked < b.invoked : a.client < b.client;
}

// Writes `history` as CSV (header client,op,key,invoked_ns,completed_ns; an
// unanswered operation has an empty completed_ns) to `path`, through an
// OutputFile (sim/io/output_file.hpp; `force` as there). Throws OutputError
// naming the path and the reason.
void write_history_csv(const std::string& path, const KvHistory& history, bool force = false);

}  // namespace faultline

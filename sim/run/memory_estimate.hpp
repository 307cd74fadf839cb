// How much memory one run of a scenario needs, estimated from the scenario
// before anything is allocated, and the limit it is checked against.
//
// A run that cannot fit should be refused as bad input (exit 2, saying what it
// would need and how to raise the limit), not die half-way with
// std::bad_alloc: `--set nodes=1000000` on the all-to-all heartbeat would need
// 24 TB of per-peer tables alone. The estimate is the sum of the parts that
// grow with the scenario, each from a figure measured on this code (peak RSS
// with /usr/bin/time -v; see memory_estimate.cpp). It is an estimate of the
// peak, not a bound: it is meant to be within a factor of two, and the
// default limit leaves room for that.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/binding/protocol_binding.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

// The default limit: 8 GiB per run. A fixed figure rather than a share of
// this machine's memory, so that `validate` gives the same answer on every
// machine (a scenario is either valid or not); it is well above every shipped
// scenario and the README's largest runs (gossip and SWIM at a million nodes,
// 0.3 and 0.7 GB; Raft for an hour with 256 clients, 0.24 GB), and below the
// memory of a typical 16 GB machine. Raise it with --memory-limit.
constexpr std::uint64_t kDefaultMemoryLimit = 8ULL << 30;

struct MemoryPart {
  std::string what;       // "per-peer tables: 1000000 x 1000000 x 40 B"
  std::string key;        // the scenario key that drives it: "nodes", "workload.keys", ...
  std::uint64_t bytes = 0;
};

struct MemoryEstimate {
  std::uint64_t bytes = 0;  // the sum of the parts (saturating)
  std::vector<MemoryPart> parts;
  // The sum of the parts driven by `key` ("nodes": the nodes' own state).
  std::uint64_t bytes_for(std::string_view key) const;
};

MemoryEstimate estimate_memory(const Scenario& scenario, const ProtocolBinding& binding);

// Throws ScenarioError (exit 2) when one run of `scenario` on `binding` is
// estimated to need more than `limit` bytes; the message gives the estimate,
// its largest parts, and the --memory-limit that would allow it. The error is
// located at the override that set the largest part's key, else the file.
// Returns the estimate when it is within the limit.
MemoryEstimate check_memory(const Scenario& scenario, const ProtocolBinding& binding, std::uint64_t limit);

// "8GiB", "512MiB", "64GB", "1TiB", "1000000" (bytes); binary and decimal
// suffixes (K, M, G, T with or without iB / B). Throws ScenarioError naming
// --memory-limit for anything else, zero, or more than 2^63 bytes.
std::uint64_t parse_memory_limit(const std::string& text);

// "7.5 GiB", "320 MiB", "12 KiB", "900 B".
std::string format_bytes(std::uint64_t bytes);

}  // namespace faultline

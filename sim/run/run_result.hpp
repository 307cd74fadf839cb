// What one run of a scenario with one seed produced.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline {

// A broken safety invariant: a bug, reported with the seed that reproduces it.
struct Violation {
  Time time = 0;
  std::string node;  // node name, or "" when the invariant spans nodes
  std::string invariant;
  std::string message;
};

struct ExpectationResult {
  std::string name;
  bool ok = false;
  std::string detail;  // what was measured, e.g. "max 412ms over 3 samples"
  bool expected_to_fail = false;  // listed in the scenario's expect_failure
  bool liveness = false;          // a liveness bound (Expectation::liveness)
};

// For a scenario with `expect_failure`: whether the run failed as declared.
struct ExpectedFailureResult {
  bool as_declared = false;
  std::string detail;  // "failed as declared: <reason>" or what went otherwise
};

// A metric is a list of samples: one for a scalar (messages_per_node), one per
// event for a series (one detection latency per crash, possibly none), so a
// sweep can aggregate every sample of every seed. JSON shows a scalar as a
// number and a series as an array, whatever its length.
struct Metric {
  std::vector<double> samples;
  bool series = false;
};
using Metrics = std::map<std::string, Metric>;

inline void set_scalar(Metrics& m, const std::string& name, double value) { m[name] = Metric{{value}, false}; }
inline void set_series(Metrics& m, const std::string& name, std::vector<double> samples) {
  m[name] = Metric{std::move(samples), true};
}

struct RunResult {
  std::string scenario;  // scenario name
  std::string path;      // scenario file
  std::string protocol;
  std::uint64_t seed = 0;
  Time virtual_time_ns = 0;
  std::uint64_t events = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t messages_dropped = 0;
  std::uint64_t messages_duplicated = 0;
  // Invariant: sent + duplicated == delivered + dropped + in_flight.
  std::uint64_t messages_in_flight = 0;  // still on the wire (or in a paused backlog) at the end
  std::uint64_t bytes_sent = 0;
  std::map<std::string, std::uint64_t> drops_by_reason;  // "loss", "partition", "crashed", ...
  std::uint64_t trace_hash = 0;
  std::string stop_reason;  // "duration", "condition:all_informed", "max_events", "violation", "stopped" (RunOptions::stop)
  std::vector<Violation> violations;
  std::vector<ExpectationResult> expectations;
  Metrics metrics;
  std::optional<ExpectedFailureResult> expected_failure;  // set when the scenario declares one
  double wall_seconds = 0.0;  // not part of the result's identity; never hashed

  // A scenario that declares `expect_failure` is ok when it failed as declared.
  bool ok() const {
    if (expected_failure) return expected_failure->as_declared;
    if (!violations.empty()) return false;
    for (const auto& e : expectations)
      if (!e.ok) return false;
    return true;
  }

  // Failed, and only on liveness: no invariant broke and every failed
  // expectation is a liveness bound (exit code 6, "LIVENESS" in summaries).
  bool failed_liveness_only() const {
    if (ok() || expected_failure || !violations.empty()) return false;
    for (const auto& e : expectations)
      if (!e.ok && !e.liveness) return false;
    return true;
  }
};

}  // namespace faultline

// How to run a scenario: seed and trace output. Everything that changes the
// simulated behaviour lives in the Scenario (set with --set); options here
// change only what is recorded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faultline {

struct FaultEvent;  // sim/scenario/scenario.hpp

// What the trace file keeps. The trace hash always covers every event,
// whatever the level, so the level never changes a run's identity.
enum class TraceLevel {
  kFaults = 0,    // faults and nemesis actions only
  kProtocol = 1,  // + protocol events (role changes, suspicions, commits)
  kMessages = 2,  // + every message sent, delivered, dropped
  kAll = 3,       // + timers
};

struct RunOptions {
  std::uint64_t seed = 1;
  std::string trace_path;  // empty: no trace file
  TraceLevel trace_level = TraceLevel::kAll;
  // Empty: none. Else the client history is written there as CSV (one line
  // per operation: client, op, key, invoked_ns, completed_ns or empty), for
  // plots; only scenarios with a workload have one.
  std::string history_path;
  // Write trace and history even where the path is not a regular file
  // (--force; sim/io/output_file.hpp says what that means for each kind).
  bool force_output = false;
  // Null: nothing recorded. Else every action the nemesis takes is appended
  // here, as it applies, as the timeline fault that does the same (its node
  // resolved, `leader` included), for `faultline shrink` (sim/shrink/).
  std::vector<FaultEvent>* nemesis_record = nullptr;
};

}  // namespace faultline

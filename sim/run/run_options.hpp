// How to run a scenario: seed and trace output. Everything that changes the
// simulated behaviour lives in the Scenario (set with --set); options here
// change only what is recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
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
  // Ends the run early, between two events, once `stop` is requested or the
  // wall clock passes `deadline` (for `faultline shrink`'s --budget). Checked
  // every kStopCheckEvents events, so it costs nothing measurable and never
  // changes what a run that is not stopped does. A stopped run has
  // stop_reason "stopped", skips the end-of-run history checks, and is no
  // result: its metrics and violations cover only the part that ran.
  std::stop_token stop;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  static constexpr std::uint32_t kStopCheckEvents = 4096;
  bool stoppable() const { return stop.stop_possible() || deadline != std::chrono::steady_clock::time_point::max(); }
  bool stop_now() const { return stop.stop_requested() || std::chrono::steady_clock::now() >= deadline; }
  // False: the observer hears no protocol event (Host::emit still traces
  // it). For the tests that hold the rule that checkers read typed state:
  // a run deaf to events must judge as one that hears them, as if every
  // event had been renamed (tests/*/..._typed_observer_test.cpp).
  bool observer_hears_events = true;
};

}  // namespace faultline

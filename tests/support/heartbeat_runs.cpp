// The heartbeat runs of tests/support/heartbeat_runs.hpp, compiled once.
#include "tests/support/heartbeat_runs.hpp"

#include <filesystem>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/run_protocol.hpp"

namespace faultline::test {

RunResult run_heartbeat(const Scenario& s, const heartbeat::Params& params, const RunOptions& options) {
  return run_protocol<HeartbeatProtocol>(s, params, options);
}

TracedRun run_traced(const Scenario& s, const heartbeat::Params& params, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  options.trace_path = temp_path("trace.jsonl");
  TracedRun out{run_heartbeat(s, params, options), {}};
  out.lines = read_lines(options.trace_path);
  std::filesystem::remove(options.trace_path);
  return out;
}

TracedRun run_registered_traced(const Scenario& s, std::uint64_t seed, TraceLevel level) {
  RunOptions options;
  options.seed = seed;
  options.trace_path = temp_path("trace.jsonl");
  options.trace_level = level;
  TracedRun out{find_protocol(s.protocol)->run(s, options), {}};
  out.lines = read_lines(options.trace_path);
  std::filesystem::remove(options.trace_path);
  return out;
}

RunResult run_plain(const Scenario& s, const heartbeat::Params& params, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  return run_heartbeat(s, params, options);
}

}  // namespace faultline::test

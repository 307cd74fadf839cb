#include "sim/bench/pingpong_benchmark.hpp"

#include <chrono>

#include <fmt/format.h>

#include "protocols/pingpong/binding/pingpong_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

PingPongBenchResult run_pingpong_bench(std::uint32_t nodes, Duration virtual_duration, std::uint64_t seed) {
  Scenario s;
  s.name = "bench-pingpong";
  s.protocol = "pingpong";
  s.nodes = nodes;
  s.duration = virtual_duration;
  s.network.defaults.latency.kind = LatencySpec::Kind::kUniform;
  s.network.defaults.latency.min = 1 * kMillisecond;
  s.network.defaults.latency.max = 5 * kMillisecond;
  const pingpong::Params params;
  RunOptions options;
  options.seed = seed;

  const auto started = std::chrono::steady_clock::now();
  Simulation<PingPongProtocol> sim(s, params, options);
  const RunResult r = sim.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {nodes, r.events, seconds, static_cast<double>(r.events) / seconds, r.trace_hash};
}

}  // namespace faultline

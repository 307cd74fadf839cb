// The engine benchmark's message workload: ping-pong among `nodes` nodes
// through the full network model (latency draws, link lookup, loss and
// partition checks, trace hashing), no trace file.
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline {

struct PingPongBenchResult {
  std::uint32_t nodes = 0;
  std::uint64_t events = 0;
  double seconds = 0;
  double events_per_sec = 0;
  std::uint64_t trace_hash = 0;
};

PingPongBenchResult run_pingpong_bench(std::uint32_t nodes, Duration virtual_duration, std::uint64_t seed);

}  // namespace faultline

#include <fmt/format.h>

#include "sim/bench/hold_benchmark.hpp"
#include "sim/bench/pingpong_benchmark.hpp"
#include "sim/cli/commands.hpp"
#include "sim/json/json_writer.hpp"
#include "sim/scenario/scenario_error.hpp"

namespace faultline {

int bench_command(const BenchCommand& c) {
  if (c.what != "engine")
    throw ScenarioError({"bench", 0, 0}, "bench", fmt::format("unknown benchmark '{}'; the one there is: engine", c.what));
  std::vector<HoldResult> holds;
  for (std::uint64_t pending : {1'000ULL, 100'000ULL}) holds.push_back(run_hold(pending, c.hold_events, c.seed));
  const PingPongBenchResult pp = run_pingpong_bench(1000, 20 * kSecond, c.seed);

  if (c.json) {
    JsonWriter j;
    j.begin_object().key("hold").begin_array();
    for (const auto& h : holds) {
      j.begin_object();
      j.key("pending").value(h.pending);
      j.key("events").value(h.events);
      j.key("seconds").value(h.seconds);
      j.key("events_per_sec").value(h.events_per_sec);
      j.end_object();
    }
    j.end_array();
    j.key("pingpong").begin_object();
    j.key("nodes").value(static_cast<std::uint64_t>(pp.nodes));
    j.key("events").value(pp.events);
    j.key("seconds").value(pp.seconds);
    j.key("events_per_sec").value(pp.events_per_sec);
    j.end_object();
    j.end_object();
    fmt::print("{}\n", j.str());
  } else {
    fmt::print("hold model (pop one event, push one at now + U[0, 1s)):\n");
    for (const auto& h : holds)
      fmt::print("  {:>7} pending  {:>11} events  {:7.3f} s  {:6.2f} M events/s  ({:.1f} ns/event)\n", h.pending,
                 h.events, h.seconds, h.events_per_sec / 1e6, 1e9 / h.events_per_sec);
    fmt::print("ping-pong through the network model:\n");
    fmt::print("  {:>7} nodes    {:>11} events  {:7.3f} s  {:6.2f} M events/s\n", pp.nodes, pp.events, pp.seconds,
               pp.events_per_sec / 1e6);
  }
  return 0;
}

}  // namespace faultline

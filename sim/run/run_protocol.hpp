// Runs one seed of a scenario for protocol binding P: the Simulation, then
// the expectations. Used by each binding's `run`.
#pragma once

#include <chrono>

#include "sim/run/expectations.hpp"
#include "sim/simulation.hpp"

namespace faultline {

template <class P>
RunResult run_protocol(const Scenario& scenario, const typename P::Params& params, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RunResult result;
  {
    Simulation<P> sim(scenario, params, options);
    result = sim.run();
  }
  result.protocol = scenario.protocol;
  evaluate_expectations(scenario, result);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace faultline

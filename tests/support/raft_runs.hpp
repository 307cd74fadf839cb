// Test support: load a shipped Raft scenario (with --set overrides) and sweep
// it over seeds 1..N through the library, two jobs at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/protocol_registry.hpp"
#include "sim/run/sweep.hpp"
#include "sim/scenario/scenario_loader.hpp"

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "."
#endif

namespace faultline::test {

inline Scenario raft_scenario(const std::string& file, const std::vector<std::string>& sets = {}) {
  std::vector<Override> o;
  for (const auto& s : sets) o.push_back(parse_override(s));
  return load_scenario_file(std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/raft/" + file, o);
}

inline SweepResult raft_sweep(const Scenario& s, std::uint64_t last_seed) {
  return run_sweep(s, *find_protocol("raft"), 1, last_seed, 2, nullptr);
}

}  // namespace faultline::test

// Test support: load a shipped scenario (with --set overrides), sweep it over
// seeds 1..N through the library, two jobs at a time, and find the first
// seed that broke an invariant.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/sweep.hpp"
#include "sim/scenario/scenario_loader.hpp"

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "."
#endif

namespace faultline::test {

// `path` is relative to scenarios/, e.g. "paxos/crashes_and_loss.yaml".
inline Scenario shipped_scenario(const std::string& path, const std::vector<std::string>& sets = {}) {
  std::vector<Override> o;
  for (const auto& s : sets) o.push_back(parse_override(s));
  return load_scenario_file(std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/" + path, o);
}

inline Scenario raft_scenario(const std::string& file, const std::vector<std::string>& sets = {}) {
  return shipped_scenario("raft/" + file, sets);
}

// How many seeds a sweep that shows a correct protocol keeps its invariants
// runs: `seeds`, or fewer under FAULTLINE_SHIPPED_SEEDS=N (the sanitizer run,
// scripts/test-sanitizers.sh, sets it: the same code on a few seeds, inside
// CI's time). Never for a sweep that must find a mutant's failing seed.
inline std::uint64_t correctness_seeds(std::uint64_t seeds) {
  const char* cap = std::getenv("FAULTLINE_SHIPPED_SEEDS");
  const int n = cap != nullptr ? std::atoi(cap) : 0;
  return n > 0 && static_cast<std::uint64_t>(n) < seeds ? static_cast<std::uint64_t>(n) : seeds;
}

// Seeds 1..last_seed of `s`, run by the protocol it names.
inline SweepResult sweep_seeds(const Scenario& s, std::uint64_t last_seed) {
  return run_sweep(s, *find_protocol(s.protocol), 1, last_seed, 2, nullptr);
}

// The first seed whose run broke an invariant (not merely an expectation),
// and that invariant; 0 when none did.
inline std::uint64_t first_violation(const SweepResult& r, std::string& invariant) {
  for (const auto& run : r.runs)
    if (!run.violations.empty()) {
      invariant = run.violations[0].invariant;
      return run.seed;
    }
  return 0;
}

// A metric that has exactly one sample in `r` (a per-run count or figure).
inline double scalar(const RunResult& r, const std::string& metric) {
  const auto it = r.metrics.find(metric);
  REQUIRE(it != r.metrics.end());
  REQUIRE(it->second.samples.size() == 1);
  return it->second.samples[0];
}

}  // namespace faultline::test

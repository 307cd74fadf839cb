// For tests that run one seed twice, its observer hearing protocol events
// and deaf to them, and expect the same judgement.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline::test {

// One run of `s` at `seed` through the named protocol's binding, its
// observer hearing protocol events or deaf to them, as if every event had
// been renamed (RunOptions::observer_hears_events).
inline RunResult run_seed(const char* protocol, const Scenario& s, std::uint64_t seed, bool hears_events = true) {
  RunOptions o;
  o.seed = seed;
  o.observer_hears_events = hears_events;
  return find_protocol(protocol)->run(s, o);
}

// The same violations (time, server, invariant, message), in the same
// order, and the same trace hash.
inline void check_same_verdicts(const RunResult& a, const RunResult& b) {
  REQUIRE(a.violations.size() == b.violations.size());
  for (std::size_t i = 0; i < b.violations.size(); ++i) {
    CHECK(a.violations[i].time == b.violations[i].time);
    CHECK(a.violations[i].node == b.violations[i].node);
    CHECK(a.violations[i].invariant == b.violations[i].invariant);
    CHECK(a.violations[i].message == b.violations[i].message);
  }
  CHECK(a.trace_hash == b.trace_hash);
}

}  // namespace faultline::test

// For tests that run one seed under two variants of an observer (one deaf
// to protocol events, say) and expect the same judgement.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>

#include "sim/run/run_result.hpp"

namespace faultline::test {

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

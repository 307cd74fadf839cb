// For tests that run faultline's Raft under a variant of its observer (a
// protocol struct deriving from RaftProtocol with its own `Observer`) and
// compare the verdicts with the usual observer's.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>

#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "tests/support/same_verdicts.hpp"
#include "tests/support/sweep_runs.hpp"

namespace faultline::test {

// One run of `s` at `seed` with protocol struct P (RaftProtocol or a variant).
template <class P>
RunResult run_raft_seed(const Scenario& s, std::uint64_t seed) {
  RunOptions o;
  o.seed = seed;
  return run_protocol<P>(s, raft_params_of(s), o);
}

}  // namespace faultline::test

// The classic "hold" model of event-queue cost: `pending` events wait; each
// firing pops the earliest and schedules one more at now + U[0, 1 s) (integer
// ns from the benchmark's own stream). Measures the queue plus a realistic
// pop / decode / dispatch / push loop, nothing else.
#pragma once

#include <cstdint>

namespace faultline {

struct HoldResult {
  std::uint64_t pending = 0;
  std::uint64_t events = 0;
  double seconds = 0;
  double events_per_sec = 0;
  std::uint64_t checksum = 0;  // folds every payload, so the work cannot be optimised away
};

HoldResult run_hold(std::uint64_t pending, std::uint64_t events, std::uint64_t seed);

}  // namespace faultline

// A node's local clock under drift: it runs at `ppm` parts per million of
// real (virtual) time. 1'000'000 is an accurate clock; 1'050'000 runs 5% fast,
// so its timers fire after 1/1.05 of the real time they ask for.
//
// Invariant: local(t) = base_local + (t - base_real) * ppm / 1e6 for t >=
// base_real; changing the rate rebases at the current time, so the local
// clock never jumps.
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline {

struct NodeClock {
  Time base_real = 0;
  Time base_local = 0;
  std::int64_t ppm = 1'000'000;

  Time local(Time real) const {
    const __int128 elapsed = static_cast<__int128>(real - base_real) * ppm / 1'000'000;
    return base_local + static_cast<Time>(elapsed);
  }
  // Real time until `local_duration` of this clock has passed (rounded up).
  Duration real_duration(Duration local_duration) const {
    const __int128 scaled = static_cast<__int128>(local_duration) * 1'000'000 + (ppm - 1);
    return static_cast<Duration>(scaled / ppm);
  }
  void set_rate(Time real_now, std::int64_t new_ppm) {
    base_local = local(real_now);
    base_real = real_now;
    ppm = new_ppm;
  }
};

}  // namespace faultline

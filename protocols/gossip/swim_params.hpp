// Parameters of SWIM membership (Das, Gupta, Motivala 2002), with suspicion
// and refutation as in HashiCorp memberlist / Lifeguard.
#pragma once

#include <cstdint>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline::swim {

// A node that is not a member at the start and joins later through a seed.
struct Joiner {
  NodeId node = 0;
  Time at = 0;
  NodeId seed = 0;
};

// A member that leaves gracefully at `at`.
struct Leaver {
  NodeId node = 0;
  Time at = 0;
};

struct SwimParams {
  Duration probe_interval = 1 * kSecond;    // one protocol period
  Duration probe_timeout = 200 * kMillisecond;  // direct ping; the indirect pings get the rest of the period
  std::uint32_t indirect_probes = 3;        // k members asked to ping on our behalf
  std::uint32_t suspicion_periods = 5;      // a suspect is declared dead after this many probe intervals
  std::uint32_t retransmit_mult = 3;        // each update is piggybacked lambda * log2(n + 1) times
  bool no_refute = false;                   // mutant: a suspected member does not refute
  std::vector<Joiner> joiners;              // everyone else is a member from the start
  std::vector<Leaver> leavers;
  std::vector<bool> late_joiner;            // per node: in `joiners` (not in the base view)
};

}  // namespace faultline::swim

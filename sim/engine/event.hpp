// An entry of the event queue: when, and what (an EventCode the simulation
// dispatches on). Ties in time pop in push order without a sequence number
// in the entry (see EventQueue): 16 bytes, where a 64-bit push count made
// it 24 (a million-node gossip run holds about 1.8 million pending).
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline {

struct Event {
  Time time;
  std::uint64_t payload;
};

}  // namespace faultline

// An entry of the event queue: when, the push count that breaks ties, and
// what (an EventCode the simulation dispatches on).
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline {

struct Event {
  Time time;
  std::uint64_t seq;
  std::uint64_t payload;
};

}  // namespace faultline

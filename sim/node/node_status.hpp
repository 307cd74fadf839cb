#pragma once

#include <cstdint>

namespace faultline {

// A node's process state, as the fault model sees it.
enum class NodeStatus : std::uint8_t {
  kRunning,  // handles messages and timers
  kPaused,   // stalled: deliveries and timers wait in its backlog
  kCrashed,  // down: volatile state gone, messages to it dropped
};

}  // namespace faultline

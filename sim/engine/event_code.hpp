// How an event's 64-bit payload says what the event is.
//
//   bits 0..2  EventKind
//   deliver, local deliver:  bits 3..34 slot in the in-flight message pool, 35..63 receiver
//                            (the receiver rides along so its state can be fetched while the
//                            message itself is still on its way from memory)
//   timer:                   bits 3..7 slot, 8..31 generation (low 24 bits), 32..63 node
//   fault:                   bits 3..63  index into Scenario::faults
//   nemesis:                 bits 3..63  index into the nemesis action table
//   sync done:               bit 3 release only (the sync completed while the node was
//                            paused: on resume, send what it held), 4..31 the node's disk
//                            epoch (low 28 bits), 32..63 node
//
// A timer event is stale (and skipped) when its generation no longer matches
// the node's generation for that slot: the timer was re-armed, cancelled, or
// the node crashed.
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline {

enum class EventKind : std::uint8_t {
  kDeliver = 0,       // a message arrives at its receiver's network interface
  kLocalDeliver = 1,  // a message from a paused node's backlog, handled on resume
  kTimer = 2,
  kFault = 3,
  kNemesis = 4,
  kClient = 5,  // a key-value client's wake-up (bits 3..63: the workload's token)
  kSyncDone = 6,  // a node's oldest outstanding durable-storage sync completes
};

struct EventCode {
  static constexpr std::uint64_t kGenerationMask = 0xFFFFFF;

  static std::uint64_t make(EventKind kind, std::uint64_t index) {
    return (index << 3) | static_cast<std::uint64_t>(kind);
  }
  static std::uint64_t timer(NodeId node, TimerSlot slot, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(node) << 32) |
           ((static_cast<std::uint64_t>(generation) & kGenerationMask) << 8) |
           (static_cast<std::uint64_t>(slot & 31) << 3) | static_cast<std::uint64_t>(EventKind::kTimer);
  }
  static std::uint64_t delivery(EventKind kind, std::uint32_t slot, NodeId to) {
    return (static_cast<std::uint64_t>(to) << 35) | (static_cast<std::uint64_t>(slot) << 3) |
           static_cast<std::uint64_t>(kind);
  }
  static std::uint32_t delivery_slot(std::uint64_t code) { return static_cast<std::uint32_t>(code >> 3); }
  static NodeId delivery_to(std::uint64_t code) { return static_cast<NodeId>(code >> 35); }
  static EventKind kind(std::uint64_t code) { return static_cast<EventKind>(code & 7); }
  static std::uint64_t index(std::uint64_t code) { return code >> 3; }
  static NodeId timer_node(std::uint64_t code) { return static_cast<NodeId>(code >> 32); }
  static TimerSlot timer_slot(std::uint64_t code) { return static_cast<TimerSlot>((code >> 3) & 31); }
  static std::uint32_t timer_generation(std::uint64_t code) {
    return static_cast<std::uint32_t>((code >> 8) & kGenerationMask);
  }
  static constexpr std::uint32_t kDiskEpochMask = 0xFFFFFFF;
  static std::uint64_t sync_done(NodeId node, std::uint32_t epoch, bool release_only) {
    return (static_cast<std::uint64_t>(node) << 32) | ((static_cast<std::uint64_t>(epoch) & kDiskEpochMask) << 4) |
           (release_only ? 8u : 0u) | static_cast<std::uint64_t>(EventKind::kSyncDone);
  }
  static NodeId sync_node(std::uint64_t code) { return static_cast<NodeId>(code >> 32); }
  static std::uint32_t sync_epoch(std::uint64_t code) {
    return static_cast<std::uint32_t>((code >> 4) & kDiskEpochMask);
  }
  static bool sync_release_only(std::uint64_t code) { return (code & 8) != 0; }
};

}  // namespace faultline

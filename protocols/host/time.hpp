// Virtual time as the protocols see it.
//
// Invariant: time is an integer count of nanoseconds. No floating point ever
// takes part in time or in the order of events, so a run is the same on every
// machine and every standard library.
#pragma once

#include <cstdint>

namespace faultline {

using Time = std::int64_t;      // nanoseconds since the start of the run
using Duration = std::int64_t;  // nanoseconds

inline constexpr Duration kNanosecond = 1;
inline constexpr Duration kMicrosecond = 1'000;
inline constexpr Duration kMillisecond = 1'000'000;
inline constexpr Duration kSecond = 1'000'000'000;
inline constexpr Duration kMinute = 60 * kSecond;
inline constexpr Duration kHour = 60 * kMinute;

// Identifies a node within one simulation (0 .. nodes-1).
using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = 0xFFFFFFFFu;

// A protocol owns a few timer slots (election, heartbeat, probe, ...). Each
// slot holds at most one pending timer: setting it again replaces it.
using TimerSlot = std::uint8_t;

// Identifies the client that sent a request, so the reply can find it.
using ClientId = std::uint32_t;

}  // namespace faultline

// What a scenario may ask of a libraft node: the knobs canonical/raft 0.15
// itself offers (raft_set_*), nothing of faultline's own Raft.
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline::libraft {

struct Params {
  // Servers 0 .. initial_members-1 bootstrap the first configuration (0:
  // every node); the others start empty and wait for raft_add.
  std::uint32_t initial_members = 0;
  // libraft draws each election timeout with io->random(T, 2T), T =
  // election_timeout_min. The adapter answers uniformly in [min, max], a
  // sub-range of what the library asks for (so max <= 2 min), so a scenario's
  // range means the same for libraft as for faultline's Raft.
  Duration election_timeout_min = 150 * kMillisecond;
  Duration election_timeout_max = 300 * kMillisecond;
  // Also libraft's tick period (raft_io start's msecs).
  Duration heartbeat_interval = 50 * kMillisecond;
  // raft_set_snapshot_threshold (0: never snapshot) and _trailing.
  std::uint64_t snapshot_threshold = 10'000;
  std::uint64_t snapshot_trailing = 128;
  bool pre_vote = false;  // raft_set_pre_vote
};

}  // namespace faultline::libraft

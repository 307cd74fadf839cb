// The ranges swarm testing draws the Consul-shaped cluster's parameters from
// (see protocols/host/swarm_range.hpp), as dotted paths into consul's params
// (the servers' Raft under servers.raft, the one gossip pool under swim).
// Every combination inside them is valid, and a correct cluster's catalog
// converges once the faults heal (swarm mode's liveness phase):
// - Raft: the ranges of protocol raft (protocols/raft/raft_swarm.hpp), with
//   the same spread of election timeouts (5.2) and heartbeats at most half
//   the smallest timeout.
// - SWIM: probe intervals from 300 ms, where protocol swim's start at 400
//   (protocols/gossip/gossip_swarm.hpp: a 300 ms period can leave too little
//   of itself for an indirect probe on 20 ms hops). Consul's stay: the mutant
//   no_reconcile_on_leadership is caught only when gossip learns of a death
//   while the servers are stalled, and from 400 ms swarm caught it on none
//   of seeds 1..300; consul/nemesis.yaml passes 2,000 of 2,000 with these.
// - Anti-entropy every 2 s to 30 s (Consul's default 1 min scaled to the
//   run), and the leader's periodic reconciliation every 5 s to 60 s (Consul's
//   reconcile_interval, 60 s): both only shorten what the default waits.
#pragma once

#include <array>

#include "protocols/host/swarm_range.hpp"
#include "protocols/host/time.hpp"

namespace faultline::consul {

inline constexpr std::array<SwarmRange, 6> kSwarmRanges = {{
    {"params.servers.raft.election_timeout", SwarmRange::Kind::kDurationRange, 100 * kMillisecond, 1000 * kMillisecond,
     100},
    {"params.servers.raft.heartbeat_interval", SwarmRange::Kind::kDuration, 10 * kMillisecond, 50 * kMillisecond},
    {"params.swim.probe_interval", SwarmRange::Kind::kDuration, 300 * kMillisecond, 2000 * kMillisecond},
    {"params.swim.probe_timeout", SwarmRange::Kind::kDuration, 20 * kMillisecond, 250 * kMillisecond},
    {"params.agents.sync_interval", SwarmRange::Kind::kDuration, 2 * kSecond, 30 * kSecond},
    {"params.reconcile_interval", SwarmRange::Kind::kDuration, 5 * kSecond, 60 * kSecond},
}};

}  // namespace faultline::consul

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

// Known bugs a test can switch on one at a time (`params.mutant=...`) to
// prove the checkers and the swarm liveness bound.
enum class Mutant : std::uint8_t {
  kNone,
  kNoRefute,               // a suspected member does not refute (the same as params.no_refute): false deaths
                           // under loss and pauses, for good
  kSuspectNeedsHigherIncarnation,  // gets the incarnation rule wrong (SWIM 4.2: suspect(i) overrides alive(j)
                           // when i >= j): a suspect must carry a higher incarnation than the alive it
                           // overrides, as alive must, so no member ever suspects a member it holds alive
                           // and a crashed member is never declared dead
  kRefuteNotSynced,        // a refutation's new incarnation is written but not synced: after a crash the member
                           // restarts from an older one and can reuse an incarnation it already gossiped
                           // (incarnation_monotonic)
};

// Every option below defaults to plain SWIM as faultline ran it before the
// memberlist mechanisms were added; `params.preset: memberlist_lan` (see
// memberlist_lan() and docs/scenario-format.md) turns them all on with
// HashiCorp memberlist's LAN values.
struct SwimParams {
  Duration probe_interval = 1 * kSecond;    // one protocol period
  Duration probe_timeout = 200 * kMillisecond;  // direct ping; the indirect pings get the rest of the period
  std::uint32_t indirect_probes = 3;        // k members asked to ping on our behalf
  std::uint32_t suspicion_periods = 5;      // a suspect is declared dead after this many probe intervals
  std::uint32_t retransmit_mult = 3;        // each update is piggybacked lambda * log2(n + 1) times
  bool retransmit_log10 = false;            // memberlist: lambda * ceil(log10(n + 1)) times instead
  // Suspicion timeout that grows with the cluster (memberlist's suspicion
  // multiplier): mult * log10(max(1, n)) probe intervals, replacing
  // suspicion_periods when above 0.
  std::uint32_t suspicion_mult = 0;
  // Lifeguard's dynamic suspicion (Dadgar et al. 2018, section IV-B): the
  // timeout starts at max_mult times the one above and shrinks towards it as
  // independent confirmations arrive, reaching it after indirect_probes of
  // them: max - (max - min) * log(c + 1) / log(k + 1). 0 or 1: fixed.
  std::uint32_t suspicion_max_mult = 0;
  // Buddy system (memberlist): a message to a member we suspect carries the
  // suspicion first, so the suspect hears it at once and can refute.
  bool buddy = true;
  // Lifeguard's local health multiplier (section IV-A), memberlist's
  // "awareness": a score in [0, awareness_max - 1], up one for a probe that
  // got no ack and for each refutation of a suspicion about us, down one for
  // an acked probe; this member's probe interval and timeout are scaled by
  // score + 1. 0: off.
  std::uint32_t awareness_max = 0;
  // A gossip channel apart from probes (memberlist): every gossip_interval,
  // pending updates go to gossip_nodes random members. 0: updates ride on
  // probe traffic only (SWIM's piggybacking).
  Duration gossip_interval = 0;
  std::uint32_t gossip_nodes = 3;
  // Serf's reconnect: every reconnect_interval a member pings one member it
  // holds dead, and any message to a member held dead carries that death
  // first (the buddy system, for deaths), so a member wrongly declared dead
  // hears it and refutes. Without it, once two sides of a partition have
  // declared each other dead neither ever sends to the other again: the
  // membership stays split after the heal (swarm mode's liveness phase
  // finds it). 0: off.
  Duration reconnect_interval = 0;
  // SWIM 4.3's round-robin probe target selection (memberlist's probeNode
  // walks its shuffled member list): each pass a member probes every other
  // member once, in a random order drawn afresh for the pass, so a crashed
  // member is probed by each live member within two passes (2n - 1
  // periods at worst) rather than after a geometric wait with no bound.
  // false: a uniformly random target each period (plain SWIM, section 3.1).
  bool round_robin_probes = false;
  bool no_refute = false;                   // mutant: a suspected member does not refute
  Mutant mutant = Mutant::kNone;
  std::vector<Joiner> joiners;              // everyone else is a member from the start
  std::vector<Leaver> leavers;
  std::vector<bool> late_joiner;            // per node: in `joiners` (not in the base view)
};

// memberlist's DefaultLANConfig, as far as faultline models it: probe every
// 1 s with a 500 ms timeout, 3 indirect checks, suspicion multiplier 4 with
// a dynamic timeout up to 6 times that, gossip to 3 members every 200 ms,
// retransmit multiplier 4 (of log10), awareness up to 8, probe targets
// in round-robin order.
inline void apply_memberlist_lan(SwimParams& p) {
  p.probe_interval = 1 * kSecond;
  p.probe_timeout = 500 * kMillisecond;
  p.indirect_probes = 3;
  p.suspicion_mult = 4;
  p.suspicion_max_mult = 6;
  p.buddy = true;
  p.awareness_max = 8;
  p.gossip_interval = 200 * kMillisecond;
  p.gossip_nodes = 3;
  p.retransmit_mult = 4;
  p.retransmit_log10 = true;
  p.round_robin_probes = true;
}

}  // namespace faultline::swim

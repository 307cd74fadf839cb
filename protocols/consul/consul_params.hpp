// Parameters of the Consul-shaped cluster (protocol `consul`): which nodes
// are servers, the Raft and SWIM parameters they run with, the agents' health
// checks and anti-entropy, and the known bugs a test can switch on one at a
// time (`params.mutant`) to prove the catalog checkers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/gossip/swim_params.hpp"
#include "protocols/host/time.hpp"
#include "protocols/raft/raft_params.hpp"

namespace faultline::consul {

enum class Mutant : std::uint8_t {
  kNone,
  kNoReconcileOnLeadership,  // a new leader does not reconcile the membership when it gains leadership
                             // (Consul's leaderLoop runs reconcile at once): a member that failed while
                             // there was no leader stays healthy in the catalog (catalog_healthy_but_dead)
  kDeregisterFailed,         // a failed member is deregistered as if it had left (Consul keeps it, critical,
                             // until reaped): deregistered_only_if_left
  kRegisterTwice,            // the reconciler writes what it wants with a plain put every time, without
                             // comparing with the catalog: the same registration applied again
                             // (catalog_write_once)
  kConsistentReadsLocal,     // the leader answers consistent reads from its own store at once, without
                             // confirming with a quorum that it still leads (Consul's default mode served
                             // as consistent): a deposed leader misses what the new one committed
                             // (consistent_read_fresh)
  kRegisterAsForwarder,      // the leader registers a forwarded sync's service under the server that
                             // forwarded it, not the agent it came from (the request's origin): a
                             // service in the catalog of a node that never ran it (services_only_where_run)
  kKeepServicesOnLeave,      // the leader deregisters a node that left but keeps its services (Consul's
                             // deregistration removes a node's services and their checks with it):
                             // services_removed_with_node
};

// Consul's three read modes (its HTTP API's ?consistent, default, ?stale):
// consistent: the leader, after confirming with a quorum that it still leads
// (Raft's ReadIndex, or a read through the log); default: the leader from its
// store, without that check (a deposed leader that does not know it yet
// answers stale); stale: any server from its store.
// (Traced as numbers: 0, 1, 2.)
enum class ReadMode : std::uint8_t { kConsistent = 0, kDefault = 1, kStale = 2 };

// A service check of an agent that fails from `from` until `until` (-1: to
// the end of the run), while the agent itself is alive: the check of service
// `service` (an index into Params::services), or of every service of the
// agent (kEveryService).
struct FailingCheck {
  static constexpr std::size_t kEveryService = static_cast<std::size_t>(-1);
  NodeId node = 0;
  std::size_t service = kEveryService;
  Time from = 0;
  Time until = -1;
  bool covers(std::size_t s) const { return service == kEveryService || service == s; }
};

struct Params {
  // Nodes 0 .. servers-1 are servers (Raft and SWIM); the rest are agents (SWIM only).
  NodeId servers = 3;
  raft::Params raft;
  // One gossip pool (Consul's LAN pool): every member runs with `swim`,
  // unless its role has parameters of its own (servers.swim, agents.swim in
  // the scenario; each member probes and suspects by its own).
  swim::SwimParams swim;
  std::optional<swim::SwimParams> server_swim, agent_swim;
  // Agents: each runs the local services `services` (every agent the same
  // ones), each with one health check run every check_interval, and syncs
  // them to the servers every sync_interval (anti-entropy) and at once when a
  // check changes, one service per RPC (Consul's syncService); an RPC
  // unanswered within rpc_timeout is retried at another server.
  std::vector<std::string> services = {"web"};
  Duration check_interval = 1 * kSecond;
  Duration sync_interval = 30 * kSecond;
  Duration rpc_timeout = 500 * kMillisecond;
  // Agents' catalog reads (Consul's health queries): each agent reads one
  // member's health every read_interval (0: no reads), in a mode drawn from
  // read_modes, by RPC to a random server, retried like the sync.
  Duration read_interval = 0;
  std::vector<ReadMode> read_modes = {ReadMode::kConsistent};
  // Servers that do not lead forward an agent's sync and its default and
  // consistent reads to the leader they know of, and relay the answer
  // (Consul's RPC forwarding, agent/consul/rpc.go: always on in Consul).
  // false is the non-Consul variant: a follower answers "not leader" with a
  // hint and the agent asks again.
  bool forward_to_leader = true;
  // The leader's full reconciliation of membership into the catalog, besides
  // the one on every membership change and on gaining leadership (Consul's
  // reconcile_interval, 60 s).
  Duration reconcile_interval = 60 * kSecond;
  std::vector<FailingCheck> failing_checks;
  // For the catalog checker (catalog_healthy_but_dead), not the protocol:
  // how long a crashed node may stay passing; 0: derived from the SWIM parameters.
  Duration healthy_bound = 0;
  Mutant mutant = Mutant::kNone;

  bool is_server(NodeId n) const { return n < servers; }
  const swim::SwimParams& swim_of(NodeId n) const {
    const auto& own = is_server(n) ? server_swim : agent_swim;
    return own ? *own : swim;
  }
  // Whether the check of `node`'s service `service` (an index into
  // `services`) fails at time `t`.
  bool check_fails(NodeId node, std::size_t service, Time t) const {
    for (const auto& f : failing_checks)
      if (f.node == node && f.covers(service) && t >= f.from && (f.until < 0 || t < f.until)) return true;
    return false;
  }
};

}  // namespace faultline::consul

// Binds the Consul-shaped cluster (protocols/consul) to the simulator.
//
//   params:
//     servers: {count: 3, runs: [raft, swim], raft: {...}, swim: {...}, forward_to_leader: true}
//                                           # nodes n0 .. n{count-1}; raft: as protocol `raft` reads its params;
//                                           # forward_to_leader: false is the non-Consul variant (followers redirect)
//     agents:  {count: 97, runs: [swim], swim: {...}, services: [web, db],
//               check_interval: 1s, sync_interval: 30s, rpc_timeout: 500ms,
//               reads: {every: 1s, modes: [consistent, default, stale]},
//               failing_checks: [{node: n7, service: db, from: 10s, until: 20s}]}   # service: absent = all of n7's
//     swim: {...}                           # the pool's gossip parameters, as protocol `swim` reads its params
//                                           # (a role's own swim: replaces it for that role)
//     reconcile_interval: 60s
//     healthy_bound: 45s                    # the catalog checker's bound (default: derived from swim)
//     mutant: none                          # no_reconcile_on_leadership | deregister_failed | register_twice |
//                                           # consistent_reads_local | register_as_forwarder | keep_services_on_leave
//
// servers.count + agents.count must equal `nodes` (agents.count may be left
// out: the rest). Servers: an odd number from 1 to 7 (Consul runs 3 or 5; an
// even count tolerates no more failures than the odd count below it, and 0
// leaves no catalog at all).
#include "sim/binding/binding_support.hpp"
#include "protocols/consul/binding/consul_protocol.hpp"
#include "protocols/consul/consul_swarm.hpp"
#include "protocols/gossip/binding/swim_protocol.hpp"
#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

// A role's `runs:` (the protocols its nodes run): what the composite
// offers a role, in any order and without repeats. `allowed` is the set; a
// role must run all of `required`.
void read_runs(YamlSection& role, std::string_view name, std::initializer_list<std::string_view> allowed,
               std::initializer_list<std::string_view> required) {
  if (!role.has("runs")) return;
  const YAML::Node runs = role.raw("runs");
  if (!runs.IsSequence()) role.fail("runs", "a list of protocols, e.g. [raft, swim]");
  std::vector<std::string> seen;
  for (const auto& item : runs) {
    if (!item.IsScalar()) role.fail("runs", "a list of protocol names");
    const std::string p = item.Scalar();
    if (std::find(seen.begin(), seen.end(), p) != seen.end()) role.fail("runs", fmt::format("'{}' listed twice", p));
    seen.push_back(p);
    if (p == "raft" && name == "agents")
      role.fail("runs", "a client agent runs no Raft: only servers replicate the catalog (servers.runs: [raft, swim])");
    if (std::find(allowed.begin(), allowed.end(), p) == allowed.end())
      role.fail("runs", fmt::format("{} cannot run '{}' in protocol consul: {} run {}", name, p, name,
                                    fmt::join(allowed, " and ")));
  }
  for (auto p : required)
    if (std::find(seen.begin(), seen.end(), p) == seen.end())
      role.fail("runs", fmt::format("{} must run {}: {}", name, p,
                                    p == "raft" ? "the servers replicate the catalog with Raft"
                                                : "every node is a member of the gossip pool, which finds failures"));
}

}  // namespace

consul::Params read_consul_params(const Scenario& s) {
  consul::Params p;
  YamlSection params = YamlSection::params_of(s);
  const NodeNames names(s.node_names, s.generated_names, s.node_count());
  // Raft for every node would give the client agents Raft too (issue 14's
  // bad input: a client agent given Raft parameters).
  if (params.has("raft"))
    params.fail("raft", "Raft parameters go under servers.raft: only the servers run Raft (a client agent runs none)");
  auto servers = params.section("servers");
  std::uint64_t server_count = 3;
  if (servers) {
    server_count = servers->integer("count", 3, 0, 1'000'000);
    if (server_count == 0) servers->fail("count", "a cluster needs at least one server: the servers hold the catalog");
    if (server_count % 2 == 0 || server_count > 7)
      servers->fail("count", fmt::format("{} servers: use an odd number from 1 to 7 (an even count tolerates no more "
                                         "failures than one server fewer; Consul runs 3 or 5)",
                                         server_count));
  }
  if (server_count > s.node_count())
    params.fail("servers", fmt::format("{} servers, but the scenario has only {} nodes", server_count, s.node_count()));
  p.servers = static_cast<NodeId>(server_count);
  std::optional<swim::SwimParams> server_swim, agent_swim;
  if (servers) {
    read_runs(*servers, "servers", {"raft", "swim"}, {"raft", "swim"});
    if (auto raft = servers->section("raft")) p.raft = read_raft_params(*raft, p.servers);
    if (auto swim = servers->section("swim")) server_swim = read_swim_params(*swim, s);
    p.forward_to_leader = servers->flag("forward_to_leader", p.forward_to_leader);
    servers->finish();
  }
  if (auto agents = params.section("agents")) {
    const std::uint64_t agent_count = agents->integer("count", s.node_count() - p.servers, 0, 100'000'000);
    if (agents->has("raft")) agents->fail("raft", "agents run no Raft: only servers replicate the catalog (servers.raft)");
    read_runs(*agents, "agents", {"swim"}, {"swim"});
    if (auto swim = agents->section("swim")) agent_swim = read_swim_params(*swim, s);
    if (agent_count + p.servers != s.node_count())
      agents->fail("count", fmt::format("{} agents + {} servers = {} nodes, but the scenario has nodes: {}", agent_count,
                                        p.servers, agent_count + p.servers, s.node_count()));
    if (agents->has("services")) {
      // The services every agent runs, each with one health check (catalog
      // keys service/<id>/<name>).
      const YAML::Node services = agents->raw("services");
      if (!services.IsSequence() || services.size() == 0 || services.size() > 16)
        agents->fail("services", "a list of 1 to 16 service names, e.g. [web, db]");
      p.services.clear();
      for (const auto& item : services) {
        const std::string name = item.IsScalar() ? item.Scalar() : "";
        const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
        if (!plain) agents->fail("services", fmt::format("'{}' is no service name: letters, digits, '-' and '_'", name));
        if (std::find(p.services.begin(), p.services.end(), name) != p.services.end())
          agents->fail("services", fmt::format("'{}' listed twice", name));
        p.services.push_back(name);
      }
    }
    p.check_interval = agents->duration("check_interval", p.check_interval);
    p.sync_interval = agents->duration("sync_interval", p.sync_interval);
    p.rpc_timeout = agents->duration("rpc_timeout", p.rpc_timeout);
    if (auto reads = agents->section("reads")) {
      p.read_interval = reads->duration("every", 0);
      if (reads->has("modes")) {
        const YAML::Node modes = reads->raw("modes");
        if (!modes.IsSequence() || modes.size() == 0)
          reads->fail("modes", "a non-empty list of read modes: consistent, default, stale");
        p.read_modes.clear();
        for (const auto& m : modes) {
          const std::string mode = m.IsScalar() ? m.Scalar() : "";
          if (mode == "consistent") p.read_modes.push_back(consul::ReadMode::kConsistent);
          else if (mode == "default") p.read_modes.push_back(consul::ReadMode::kDefault);
          else if (mode == "stale") p.read_modes.push_back(consul::ReadMode::kStale);
          else reads->fail("modes", fmt::format("'{}' is no read mode: consistent, default or stale", mode));
        }
      }
      reads->finish();
    }
    for (auto& f : read_list_of_sections(*agents, "failing_checks")) {
      const auto node = names.read_list(f, "node", false);
      if (node.size() != 1) f.fail("node", "one node per failing check");
      if (p.is_server(node[0])) f.fail("node", "servers run no service checks here: name an agent");
      consul::FailingCheck c;
      c.node = node[0];
      if (f.has("service")) {
        const std::string service = f.text("service", "");
        const auto it = std::find(p.services.begin(), p.services.end(), service);
        if (it == p.services.end())
          f.fail("service", fmt::format("'{}' is not a service the agents run: {}", service, fmt::join(p.services, ", ")));
        c.service = static_cast<std::size_t>(it - p.services.begin());
      }
      c.from = f.duration("from", 0, true);
      c.until = f.has("until") ? f.duration("until", 0, true) : -1;
      if (c.until >= 0 && c.until <= c.from) f.fail("until", "must be after `from`");
      f.finish();
      p.failing_checks.push_back(c);
    }
    agents->finish();
  }
  if (auto swim = params.section("swim")) {
    if (server_swim && agent_swim)
      params.fail("swim", "servers.swim and agents.swim already set both roles' gossip parameters: this one would apply to none");
    p.swim = read_swim_params(*swim, s);
  }
  p.server_swim = server_swim;
  p.agent_swim = agent_swim;
  p.reconcile_interval = params.duration("reconcile_interval", p.reconcile_interval);
  p.healthy_bound = params.duration("healthy_bound", 0, true);
  const std::string mutant =
      params.choice("mutant", "none", {"none", "no_reconcile_on_leadership", "deregister_failed", "register_twice",
                                       "consistent_reads_local", "register_as_forwarder", "keep_services_on_leave"});
  using M = consul::Mutant;
  p.mutant = mutant == "no_reconcile_on_leadership" ? M::kNoReconcileOnLeadership
           : mutant == "deregister_failed"          ? M::kDeregisterFailed
           : mutant == "register_twice"             ? M::kRegisterTwice
           : mutant == "consistent_reads_local"     ? M::kConsistentReadsLocal
           : mutant == "register_as_forwarder"      ? M::kRegisterAsForwarder
           : mutant == "keep_services_on_leave"     ? M::kKeepServicesOnLeave
                                                    : M::kNone;
  params.finish();
  return p;
}

namespace {

consul::Params read_params(const Scenario& s) { return read_consul_params(s); }

}  // namespace

ProtocolBinding consul_binding() {
  ProtocolBinding b;
  b.name = "consul";
  // Peak RSS grows with the pool and with time (SWIM views and the catalog
  // fill): agent_crash at 4,003 nodes for 60 s peaks at 48.9 MB (12.2 KB a
  // node; 49.5 MB with agents' services); scripts/bench/consul_10k.yaml
  // (10,005 nodes, 600 s) at 349 MB with agents' services (35 KB a node;
  // 384 MB before them, 346 MB before followers forwarded agents' RPCs: the
  // difference is there by 120 s of virtual time already, not growth).
  // 19 KiB a node keeps both within a factor of two.
  b.memory_per_node = 19 * 1024;
  b.summary = "Consul-shaped cluster: Raft servers hold the catalog, every node a SWIM agent; health checks, anti-entropy, reconciliation";
  b.has_clients = true;
  b.has_leader = true;
  b.metrics = {"detect_ns",      "commit_ns",          "crash_to_critical_ns", "false_criticals",
               "catalog_writes", "replays_suppressed", "healthy_but_down", "reconciles_interrupted", "critical_but_running", "check_to_catalog_ns", "services_registered", "services_critical", "stale_read_lag_ns", "default_read_stale_ns",
               "consistent_read_missed_entries", "default_read_missed_entries", "default_read_missed_ns",
               "stale_read_missed_entries", "stale_read_missed_ns", "reads_answered", "reads_redirected", "rpcs_forwarded",
               "elections",      "leader_changes",     "split_votes",          "failed_elections",
               "time_to_leader_ns", "unavailable_ns",  "cut_off_commits",      "entries_truncated",
               "snapshots_taken", "snapshots_installed", "config_changes",     "transfer_ns",
               "stepdown_after_heal_ns", "catchup_entries", "catchup_ns"};
  for (const auto& m : kv_workload_metric_names()) b.metrics.push_back(m);
  b.swarm_ranges.assign(consul::kSwarmRanges.begin(), consul::kSwarmRanges.end());
  // Without a client load to the end: once every fault healed, the catalog
  // must agree with the cluster by the end of the run (consul_observer.hpp):
  // no crashed node passing, no running node critical.
  b.swarm_liveness =
      "{name: catalog converged after the faults healed (no crashed node passing), metric: healthy_but_down, max: 0, "
      "liveness: true}, {name: catalog converged after the faults healed (no running node critical), metric: "
      "critical_but_running, max: 0, liveness: true}";
  // Faults and the nemesis may target `servers` (n0 .. n{servers-1}) and
  // `agents` (the rest) by name, as well as `leader` (the Raft leader).
  b.roles = [](const Scenario& s) {
    const consul::Params p = read_params(s);
    NodeRoles roles;
    for (NodeId n = 0; n < s.node_count(); ++n) roles[p.is_server(n) ? "servers" : "agents"].push_back(n);
    roles.try_emplace("servers");
    roles.try_emplace("agents");
    return roles;
  };
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) { return run_protocol<ConsulProtocol>(s, read_params(s), o); };
  return b;
}

}  // namespace faultline

// Binds SWIM membership (protocols/gossip/swim_node) to the simulator.
#include "protocols/gossip/gossip_swarm.hpp"
#include "sim/binding/binding_support.hpp"
#include "protocols/gossip/binding/swim_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

swim::SwimParams read_params(const Scenario& s) {
  YamlSection params = YamlSection::params_of(s);
  return read_swim_params(params, s);
}

}  // namespace

swim::SwimParams read_swim_params(YamlSection& params, const Scenario& s) {
  swim::SwimParams p;
  // A preset sets defaults; any key given alongside it overrides its value.
  if (params.choice("preset", "swim", {"swim", "memberlist_lan"}) == "memberlist_lan") swim::apply_memberlist_lan(p);
  p.probe_interval = params.duration("probe_interval", p.probe_interval);
  p.probe_timeout = params.duration("probe_timeout", p.probe_timeout);
  if (p.probe_timeout >= p.probe_interval * 9 / 10)
    params.fail("probe_timeout", "must leave time for indirect probes: below 90% of probe_interval");
  p.indirect_probes = static_cast<std::uint32_t>(params.integer("indirect_probes", p.indirect_probes, 0, 64));
  p.suspicion_periods = static_cast<std::uint32_t>(params.integer("suspicion_periods", p.suspicion_periods, 1, 1000));
  p.retransmit_mult = static_cast<std::uint32_t>(params.integer("retransmit_mult", p.retransmit_mult, 1, 100));
  p.retransmit_log10 = params.flag("retransmit_log10", p.retransmit_log10);
  p.suspicion_mult = static_cast<std::uint32_t>(params.integer("suspicion_mult", p.suspicion_mult, 0, 100));
  p.suspicion_max_mult = static_cast<std::uint32_t>(params.integer("suspicion_max_mult", p.suspicion_max_mult, 0, 100));
  if (p.suspicion_max_mult > 1 && p.suspicion_mult == 0)
    params.fail("suspicion_max_mult", "needs suspicion_mult (the dynamic timeout shrinks towards suspicion_mult's)");
  p.buddy = params.flag("buddy", p.buddy);
  p.awareness_max = static_cast<std::uint32_t>(params.integer("awareness_max", p.awareness_max, 0, 64));
  p.gossip_interval = params.duration("gossip_interval", p.gossip_interval, true);
  p.gossip_nodes = static_cast<std::uint32_t>(params.integer("gossip_nodes", p.gossip_nodes, 1, 64));
  p.reconnect_interval = params.duration("reconnect_interval", p.reconnect_interval, true);
  p.round_robin_probes =
      params.choice("probe_order", p.round_robin_probes ? "round_robin" : "random", {"random", "round_robin"}) == "round_robin";
  p.no_refute = params.flag("no_refute", false);
  const std::string mutant =
      params.choice("mutant", "none", {"none", "no_refute", "suspect_needs_higher_incarnation", "refute_not_synced"});
  using M = swim::Mutant;
  p.mutant = mutant == "no_refute"                        ? M::kNoRefute
           : mutant == "suspect_needs_higher_incarnation" ? M::kSuspectNeedsHigherIncarnation
           : mutant == "refute_not_synced"                ? M::kRefuteNotSynced
                                                          : M::kNone;
  if (p.mutant == M::kNoRefute) p.no_refute = true;
  const NodeNames names(s.node_names, s.generated_names, s.node_count());
  p.late_joiner.assign(s.node_count(), false);
  for (auto& j : read_list_of_sections(params, "join")) {
    swim::Joiner joiner;
    const auto node = names.read_list(j, "node", false);
    const auto seed = names.read_list(j, "seed", false);
    if (node.size() != 1 || seed.size() != 1) j.fail("node", "one node and one seed per join");
    joiner.node = node[0];
    joiner.seed = seed[0];
    if (joiner.node == joiner.seed) j.fail("seed", "a node cannot join through itself");
    joiner.at = j.duration("at", 0, true);
    j.finish();
    if (p.late_joiner[joiner.node]) j.fail("node", "joins twice");
    p.late_joiner[joiner.node] = true;
    p.joiners.push_back(joiner);
  }
  for (auto& l : read_list_of_sections(params, "leave")) {
    const auto node = names.read_list(l, "node", false);
    if (node.size() != 1) l.fail("node", "one node per leave");
    p.leavers.push_back({node[0], l.duration("at", 0, true)});
    l.finish();
  }
  for (const auto& j : p.joiners)
    if (p.late_joiner[j.seed]) params.fail("join", "a seed must be a member from the start");
  params.finish();
  return p;
}

ProtocolBinding swim_binding() {
  ProtocolBinding b;
  b.name = "swim";
  // crash_detection at 20,000 nodes: 18.7 MB, 670 B per node (a million: 707 MB).
  b.memory_per_node = 800;
  b.summary = "SWIM membership: random probes, indirect probes, suspicion and refutation, join, leave";
  b.metrics = {"detect_first_suspect_ns", "detect_dead_ns", "detect_all_aware_ns", "join_all_aware_ns",
               "false_positives",         "refutations",    "view_entries_per_node",
               "unconverged_pairs"};
  b.swarm_ranges.assign(gossip::kSwimSwarmRanges.begin(), gossip::kSwimSwarmRanges.end());
  // The bound is the observer's (swim_protocol.hpp).
  b.swarm_liveness =
      "{name: membership converged after the faults healed, metric: unconverged_pairs, max: 0, liveness: true}";
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) { return run_protocol<SwimProtocol>(s, read_params(s), o); };
  return b;
}

}  // namespace faultline

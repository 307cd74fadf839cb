// Binds Basic Paxos and Multi-Paxos (protocols/paxos) to the simulator.
#include "protocols/paxos/paxos_swarm.hpp"
#include "sim/binding/binding_support.hpp"
#include "protocols/paxos/binding/paxos_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

using paxos::Mutant;

Mutant read_mutant(YamlSection& params, std::initializer_list<std::string_view> names) {
  const std::string m = params.choice("mutant", "none", names);
  return m == "accept_below_promise"         ? Mutant::kAcceptBelowPromise
       : m == "ignore_accepted_values"       ? Mutant::kIgnoreAcceptedValues
       : m == "acceptor_not_persisted"       ? Mutant::kAcceptorNotPersisted
       : m == "noop_fill_without_collect"    ? Mutant::kNoopFillWithoutCollect
       : m == "forget_on_promise"            ? Mutant::kForgetOnPromise
                                             : Mutant::kNone;
}

// Paxos counts acceptors in 64-bit masks.
void check_cluster_size(const Scenario& s) {
  if (s.node_count() > 64)
    YamlSection(YAML::Node(), "", s.path, &s.overrides)
        .fail("nodes", fmt::format("Paxos runs at most 64 nodes (acceptor sets are 64-bit masks), got {}", s.node_count()));
}

paxos::MultiParams read_multi_params(const Scenario& s) {
  check_cluster_size(s);
  paxos::MultiParams p;
  YamlSection params = YamlSection::params_of(s);
  read_leader_timing(params, p.election_timeout_min, p.election_timeout_max, p.heartbeat_interval);
  p.max_entries_per_accept = static_cast<std::uint32_t>(params.integer("max_entries_per_accept", 64, 1, 1 << 20));
  p.mutant = read_mutant(params, {"none", "accept_below_promise", "acceptor_not_persisted", "noop_fill_without_collect",
                                  "forget_on_promise"});
  params.finish();
  return p;
}

}  // namespace

paxos::BasicParams basic_paxos_params_of(const Scenario& s) {
  check_cluster_size(s);
  paxos::BasicParams p;
  YamlSection params = YamlSection::params_of(s);
  p.proposers = static_cast<NodeId>(params.integer("proposers", 2, 1, s.node_count()));
  p.start_spread = params.duration("start_spread", 0, true);
  p.retry_timeout = params.duration("retry_timeout", p.retry_timeout);
  if (params.has("backoff")) std::tie(p.backoff_min, p.backoff_max) = read_duration_range(params, "backoff", true, true);
  p.mutant = read_mutant(params, {"none", "accept_below_promise", "ignore_accepted_values", "acceptor_not_persisted"});
  params.finish();
  return p;
}

ProtocolBinding paxos_binding() {
  ProtocolBinding b;
  b.name = "paxos";
  b.summary = "single-decree Paxos: proposers, acceptors, learners; dueling proposers and backoff; mutants";
  b.has_clients = false;
  b.stop_conditions = {"all_learned"};
  b.metrics = {"rounds", "rejections", "chosen", "time_to_choose_ns", "learned_nodes", "unlearned_proposers"};
  b.swarm_ranges.assign(paxos::kBasicSwarmRanges.begin(), paxos::kBasicSwarmRanges.end());
  // Every proposer learns: one that has not keeps proposing until it does.
  // Not every node: a node that only accepts learns from the choosing
  // proposer's few announcements, and a value can be chosen "with no
  // learner ever finding out" (Lamport 2001, 2.3), e.g. when that proposer
  // crashes while the node is cut off (swarm seeds 5, 17, 35 and 79).
  b.swarm_liveness = "{name: every proposer learned the value, metric: unlearned_proposers, max: 0, liveness: true}";
  b.node_count_params = {"proposers"};  // 1..nodes
  b.validate = [](const Scenario& s) { basic_paxos_params_of(s); };
  b.run = [](const Scenario& s, const RunOptions& o) {
    return run_protocol<BasicPaxosProtocol>(s, basic_paxos_params_of(s), o);
  };
  return b;
}

ProtocolBinding multipaxos_binding() {
  ProtocolBinding b;
  b.name = "multipaxos";
  b.summary = "Multi-Paxos over a key-value store: stable leader, phase 1 once, no-op gap filling, catch-up; mutants";
  b.has_clients = true;
  b.has_leader = true;
  b.metrics = {"elections", "leader_changes", "time_to_leader_ns", "unavailable_ns", "chosen_slots"};
  for (const auto& m : kv_workload_metric_names()) b.metrics.push_back(m);
  b.swarm_ranges.assign(paxos::kMultiSwarmRanges.begin(), paxos::kMultiSwarmRanges.end());
  b.validate = [](const Scenario& s) { read_multi_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) {
    return run_protocol<MultiPaxosProtocol>(s, read_multi_params(s), o);
  };
  return b;
}

}  // namespace faultline

// Binds Raft (protocols/raft) to the simulator.
#include "protocols/raft/raft_swarm.hpp"
#include "sim/binding/binding_support.hpp"
#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

raft::Params read_params(const Scenario& s) {
  YamlSection params = YamlSection::params_of(s);
  return read_raft_params(params, s.node_count());
}

}  // namespace

raft::Params read_raft_params(YamlSection& params, NodeId nodes) {
  raft::Params p;
  read_leader_timing(params, p.election_timeout_min, p.election_timeout_max, p.heartbeat_interval);
  p.append_batch_delay = params.duration("append_batch_delay", 0, true);
  p.max_entries_per_append = static_cast<std::uint32_t>(params.integer("max_entries_per_append", 64, 1, 1 << 20));
  p.initial_members = static_cast<std::uint32_t>(params.integer("initial_members", 0, 0, nodes));
  p.snapshot_threshold = params.integer("snapshot_threshold", p.snapshot_threshold, 0, UINT64_MAX);
  p.pre_vote = params.flag("pre_vote", false);
  p.check_quorum = params.flag("check_quorum", false);
  p.read_index = params.flag("read_index", false);
  p.probe_after_refusal = params.flag("probe_after_refusal", p.probe_after_refusal);
  p.idle_heartbeats = params.flag("idle_heartbeats", p.idle_heartbeats);
  const std::string mutant = params.choice("mutant", "none",
                                           {"none", "figure8", "no_election_restriction", "up_to_date_index_only",
                                            "vote_not_persisted", "ack_before_sync", "config_before_term_commit", "commit_without_quorum",
                                            "skip_consistency_check", "read_without_confirmation",
                                            "truncate_without_conflict"});
  using M = raft::Mutant;
  p.mutant = mutant == "figure8"                   ? M::kFigure8
           : mutant == "no_election_restriction"   ? M::kNoElectionRestriction
           : mutant == "up_to_date_index_only"     ? M::kUpToDateIndexOnly
           : mutant == "vote_not_persisted"        ? M::kVoteNotPersisted
           : mutant == "ack_before_sync"           ? M::kAckBeforeSync
           : mutant == "config_before_term_commit" ? M::kConfigBeforeTermCommit
           : mutant == "commit_without_quorum"     ? M::kCommitWithoutQuorum
           : mutant == "skip_consistency_check"    ? M::kSkipConsistencyCheck
           : mutant == "read_without_confirmation" ? M::kReadWithoutConfirmation
           : mutant == "truncate_without_conflict" ? M::kTruncateWithoutConflict
                                                   : M::kNone;
  params.finish();
  return p;
}

raft::Params raft_params_of(const Scenario& s) { return read_params(s); }

ProtocolBinding raft_binding() {
  ProtocolBinding b;
  b.name = "raft";
  // leader_crash at 1,000 / 2,000 / 4,000 nodes: 20 / 22 / 59 MB; peer
  // vectors per node, about 3.4 B per pair at 4,000.
  b.memory_per_node = 4096;
  b.memory_per_pair = 4;
  b.summary = "Raft consensus over a key-value store: elections, replication, PreVote, CheckQuorum, mutants";
  b.has_clients = true;
  b.has_leader = true;
  b.has_membership = true;
  b.metrics = {"elections",         "leader_changes",         "split_votes",     "failed_elections", "time_to_leader_ns",
               "unavailable_ns",    "cut_off_commits",        "entries_truncated", "snapshots_taken", "snapshots_installed", "config_changes", "transfer_ns", "stepdown_after_heal_ns",
               "catchup_entries",   "catchup_ns"};
  for (const auto& m : kv_workload_metric_names()) b.metrics.push_back(m);
  b.swarm_ranges.assign(raft::kSwarmRanges.begin(), raft::kSwarmRanges.end());
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) { return run_protocol<RaftProtocol>(s, read_params(s), o); };
  return b;
}

}  // namespace faultline

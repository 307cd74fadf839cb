// Binds libraft (protocols/libraft: canonical/raft 0.15, unmodified) to the simulator.
#include "sim/binding/binding_support.hpp"
#include "protocols/libraft/binding/libraft_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

libraft::Params read_params(const Scenario& s) {
  libraft::Params p;
  YamlSection params = YamlSection::params_of(s);
  // What only faultline's Raft offers: an error naming the key, not a
  // silently different run.
  static constexpr std::pair<std::string_view, std::string_view> kRaftOnly[] = {
      {"max_entries_per_append", "libraft sends what the follower lacks; it has no per-message entry limit"},
      {"append_batch_delay", "libraft has no append batching delay"},
      {"check_quorum", "a libraft leader always steps down when it loses contact with a majority; it cannot be switched"},
      {"read_index", "libraft 0.15 has no ReadIndex; reads go through the log"},
      {"probe_after_refusal", "libraft has flow control of its own (probe and pipeline modes); it cannot be switched"},
      {"idle_heartbeats", "a libraft leader sends a heartbeat only to a follower it sent nothing for an interval; it cannot be switched"},
      {"mutant", "mutants are faultline Raft's; libraft runs unmodified"},
  };
  for (const auto& [key, why] : kRaftOnly)
    if (params.has(key)) params.fail(key, fmt::format("not supported by protocol libraft: {}", why));
  Duration heartbeat = p.heartbeat_interval;
  read_leader_timing(params, p.election_timeout_min, p.election_timeout_max, heartbeat);
  p.heartbeat_interval = heartbeat;
  if (p.election_timeout_max > 2 * p.election_timeout_min)
    params.fail("election_timeout", "libraft draws election timeouts in [T, 2T]: the range's maximum must be at most twice its minimum");
  if (p.election_timeout_min % kMillisecond != 0 || p.heartbeat_interval % kMillisecond != 0)
    params.fail("election_timeout", "libraft counts time in whole milliseconds");
  p.initial_members = static_cast<std::uint32_t>(params.integer("initial_members", 0, 0, s.node_count()));
  p.snapshot_threshold = params.integer("snapshot_threshold", p.snapshot_threshold, 0, UINT32_MAX);
  p.snapshot_trailing = params.integer("snapshot_trailing", p.snapshot_trailing, 0, UINT32_MAX);
  p.pre_vote = params.flag("pre_vote", false);
  params.finish();
  return p;
}

}  // namespace

ProtocolBinding libraft_binding() {
  ProtocolBinding b;
  b.name = "libraft";
  b.summary = "canonical/raft 0.15 (Debian libraft-dev, unmodified) over a key-value store, through its raft_io";
  b.has_clients = true;
  b.has_leader = true;
  b.has_membership = true;
  // The shared Raft observer's metrics (raft_observer.hpp), but
  // entries_truncated: libraft does not say when it truncates its log.
  b.metrics = {"elections",       "leader_changes",      "split_votes",    "failed_elections", "time_to_leader_ns",
               "unavailable_ns",  "cut_off_commits",     "snapshots_taken", "snapshots_installed", "config_changes",
               "transfer_ns",     "stepdown_after_heal_ns", "catchup_entries", "catchup_ns", "unavailable_nodes"};
  for (const auto& m : kv_workload_metric_names()) b.metrics.push_back(m);
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) { return run_protocol<LibraftProtocol>(s, read_params(s), o); };
  return b;
}

}  // namespace faultline

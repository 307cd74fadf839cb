#include "sim/binding/binding_support.hpp"

#include <tuple>

#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

void read_leader_timing(YamlSection& params, Duration& timeout_min, Duration& timeout_max, Duration& heartbeat) {
  if (params.has("election_timeout"))
    std::tie(timeout_min, timeout_max) = read_duration_range(params, "election_timeout", true);
  heartbeat = params.duration("heartbeat_interval", heartbeat);
  if (heartbeat >= timeout_min)
    params.fail("heartbeat_interval", "must be shorter than the election timeout, or followers keep starting elections");
}

const std::vector<std::string>& kv_workload_metric_names() {
  static const std::vector<std::string> names = {
      "ops_ok",          "ops_unanswered",        "client_redirects",      "client_timeouts",
      "throughput_ops_per_s", "commit_latency_p50_ns", "commit_latency_p99_ns", "commit_latency_max_ns",
      "linearizability_steps", "linearizability_unknown", "commit_gap_max_ns", "messages_per_commit",
      "bytes_per_commit", "admin_ops_ok", "admin_ops_abandoned", "last_ok_ns"};
  return names;
}

}  // namespace faultline

// Binds the heartbeat failure detector (protocols/heartbeat) to the simulator.
#include "protocols/heartbeat/heartbeat_node.hpp"
#include "protocols/heartbeat/heartbeat_swarm.hpp"
#include "sim/binding/binding_support.hpp"
#include "protocols/heartbeat/binding/heartbeat_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

namespace {

heartbeat::Params read_params(const Scenario& s) {
  heartbeat::Params p;
  YamlSection params = YamlSection::params_of(s);
  p.interval = params.duration("interval", p.interval);
  p.timeout = params.duration("timeout", p.timeout);
  if (p.timeout <= p.interval)
    params.fail("timeout", "must be longer than params.interval, or every node is suspected between heartbeats");
  p.skip_sync = params.flag("skip_sync", false);
  const std::string mutant = params.choice("mutant", "none", {"none", "skip_sync", "never_trust_again", "suspect_once"});
  using M = heartbeat::Mutant;
  p.mutant = mutant == "skip_sync"           ? M::kSkipSync
           : mutant == "never_trust_again" ? M::kNeverTrustAgain
           : mutant == "suspect_once"      ? M::kSuspectOnce
                                           : M::kNone;
  params.finish();
  return p;
}

}  // namespace

ProtocolBinding heartbeat_binding() {
  ProtocolBinding b;
  b.name = "heartbeat";
  // crash_detection (100 ms interval, 1 s) at 500 / 1,000 / 2,000 nodes peaks
  // at 17 / 36 / 124 MB: about 30 B per pair (a 24-byte PeerState per peer,
  // and a heartbeat to every peer in flight).
  b.memory_per_node = 400;
  b.memory_per_pair = 40;
  b.summary = "all-to-all heartbeat failure detector (suspect after a timeout of silence)";
  b.has_clients = false;
  b.stop_conditions = {"all_crashes_detected"};
  b.metrics = {"detection_ns", "undetected_crashes", "false_suspicions", "restarts_noticed", "crashes",
               "unconverged_pairs"};
  b.swarm_ranges.assign(heartbeat::kSwarmRanges.begin(), heartbeat::kSwarmRanges.end());
  // The bound is the observer's (heartbeat_protocol.hpp).
  b.swarm_liveness =
      "{name: every verdict right after the faults healed, metric: unconverged_pairs, max: 0, liveness: true}";
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) {
    return run_protocol<HeartbeatProtocol>(s, read_params(s), o);
  };
  return b;
}

}  // namespace faultline

// The heartbeat binding's protocol struct, and its checkers and metrics.
//
// Metrics:
//   detection_ns        per crash: from the crash until every node that was
//                       running then (and still is) suspects the crashed node
//   undetected_crashes  crashes not fully detected before the node restarted
//                       or the run ended
//   false_suspicions    suspicions of a node that had not crashed (running,
//                       or paused: a stalled process has not failed)
//                       (expected under partitions, pauses and heavy loss;
//                       zero on a healthy network)
//   restarts_noticed    "restarted" events: a peer saw a higher incarnation
//   unconverged_pairs   at the end of the run, ordered pairs (observer, peer) of
//                       a running observer whose verdict is still wrong longer
//                       than the convergence bound after the last fault change
//                       (crash, restart, pause, resume, partition or heal): it
//                       suspects a running peer, or trusts a crashed or paused
//                       one; plus, during the run, each node that ran
//                       throughout a crash longer than the bound and never
//                       suspected the crashed node (completeness). The
//                       liveness expectation of swarm mode (max: 0).
//                       The bound (convergence_bound) is timeout + interval,
//                       the diamond-P bound on a lossless network whose delays
//                       stay below timeout - interval, plus 4 more intervals
//                       (up to 4 heartbeats in a row lost: at most 0.05^4 per
//                       pair at swarm's highest loss) and one more timeout
//                       for latency tails (lognormal) and the tick on which
//                       the check runs.
// Invariant (online):
//   incarnation_monotonic  every start of a node has a higher incarnation
//                          than all its earlier starts (needs durable, synced
//                          storage; broken by params.skip_sync)
#pragma once

#include <map>
#include <set>
#include <vector>

#include "protocols/heartbeat/heartbeat_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct HeartbeatProtocol;

class HeartbeatObserver : public ObserverBase {
 public:
  HeartbeatObserver(const Scenario& scenario, const heartbeat::Params& params, Simulation<HeartbeatProtocol>& sim);

  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  void on_pause(Time t, NodeId) { last_fault_change_ = t; }
  void on_resume(Time t, NodeId node) {
    last_fault_change_ = t;
    up_since_[node] = t;
  }
  void on_connectivity_change(Time t) { last_fault_change_ = t; }
  void finish(Time end, Metrics& metrics);

  // How long after the last fault change every verdict must be right.
  static Duration convergence_bound(const heartbeat::Params& p) { return 2 * p.timeout + 5 * p.interval; }

 private:
  struct PendingDetection {
    Time crashed_at;
    std::set<NodeId> waiting;  // running nodes that do not suspect it yet
  };
  void resolve(NodeId subject, Time t);
  std::uint64_t unconverged_pairs(Time end) const;

  Simulation<HeartbeatProtocol>& sim_;
  bool stop_when_all_detected_ = false;
  std::vector<std::vector<bool>> suspects_;  // [observer][subject]
  std::vector<std::vector<Time>> suspected_since_;  // [observer][subject]: when the current suspicion began
  Duration convergence_bound_;
  Time last_fault_change_ = 0;  // the last crash, restart, pause, resume or connectivity change
  std::vector<Time> up_since_;  // per node: its last start or resume
  std::uint64_t missed_detections_ = 0;  // (observer, crash) pairs: a long crash it never suspected
  std::vector<std::uint64_t> last_incarnation_;
  std::map<NodeId, PendingDetection> pending_;  // by crashed node
  std::vector<double> detection_ns_;
  std::uint64_t undetected_ = 0, false_suspicions_ = 0, restarts_noticed_ = 0, crashes_ = 0;
};

struct HeartbeatProtocol {
  using Node = heartbeat::HeartbeatNode;
  using Message = heartbeat::Message;
  using Reply = std::monostate;
  using Params = heartbeat::Params;
  using Observer = HeartbeatObserver;
  static constexpr TimerSlot kTimerSlots = heartbeat::HeartbeatNode::kTimerSlots;
  static std::string_view message_type(const Message& m) { return heartbeat::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { heartbeat::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return heartbeat::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

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
//   restarts_noticed    a peer saw a higher incarnation (the "restarted" events)
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
//
// Everything above is read from typed state, never from trace events: after
// every event, the node the event was handed to (HeartbeatNode's
// suspicion_changes() and restarts_noticed(); where the first moved, its
// suspects() for every peer), and each node's
// incarnation() after it started. Renaming or dropping a trace event cannot
// disarm a check or zero a metric.
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

  // The checks: each node after it started (its incarnation), and the node
  // each event was handed to (its suspicions). Nearly every event is a
  // heartbeat that changes no verdict, so the test for that is inline in the
  // event loop (a template only so that its body compiles there, where
  // Simulation is complete; about 6% of a 300-node run as a call).
  template <class Sim = Simulation<HeartbeatProtocol>>
  void after_event(Time t) {
    Sim& sim = sim_;
    if (!started_.empty()) check_starts();
    const NodeId acting = sim.acting_node();
    const heartbeat::HeartbeatNode& n = sim.node(acting);
    const Seen& seen = seen_[acting];
    if (n.suspicion_changes() == seen.suspicion_changes && n.restarts_noticed() == seen.restarts_noticed) return;
    if (sim.is_running(acting)) look(t, acting);
  }
  void before_crash(Time, NodeId) { check_starts(); }
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
  // What the observer last saw of a node.
  struct Seen {
    std::uint16_t suspicion_changes = 0;
    std::uint16_t restarts_noticed = 0;
  };
  void check_starts();
  void look(Time t, NodeId node);
  void suspected(Time t, NodeId node, NodeId subject);
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
  std::vector<NodeId> started_;  // started and not looked at yet: every node at first, then each restart
  std::vector<Seen> seen_;
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

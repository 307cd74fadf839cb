// The heartbeat observer: detection latency, false suspicions, and the
// incarnation invariant (see heartbeat_protocol.hpp).
#include <algorithm>

#include "protocols/heartbeat/binding/heartbeat_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

HeartbeatObserver::HeartbeatObserver(const Scenario& scenario, const heartbeat::Params& params,
                                     Simulation<HeartbeatProtocol>& sim)
    : sim_(sim),
      suspects_(scenario.node_count(), std::vector<bool>(scenario.node_count(), false)),
      suspected_since_(scenario.node_count(), std::vector<Time>(scenario.node_count(), 0)),
      convergence_bound_(convergence_bound(params)),
      up_since_(scenario.node_count(), 0),
      last_incarnation_(scenario.node_count(), 0),
      seen_(scenario.node_count()) {
  const auto& when = scenario.stop.when;
  stop_when_all_detected_ = std::find(when.begin(), when.end(), "all_crashes_detected") != when.end();
  // Every node starts before the first event: look at each after it.
  for (NodeId i = 0; i < scenario.node_count(); ++i) started_.push_back(i);
}

// A node that started (at the beginning, or restarted since the last look;
// before a crash replaces it, so one crashed in the first event is checked
// too): its incarnation against its earlier lives'.
void HeartbeatObserver::check_starts() {
  for (NodeId node : started_) {
    if (!sim_.is_running(node)) continue;
    const heartbeat::HeartbeatNode& n = sim_.node(node);
    const std::uint64_t incarnation = n.incarnation();
    if (incarnation <= last_incarnation_[node])
      sim_.report_violation(node, "incarnation_monotonic",
                            fmt::format("{} started with incarnation {}, but an earlier life already used {}",
                                        sim_.node_name(node), incarnation, last_incarnation_[node]));
    last_incarnation_[node] = std::max(last_incarnation_[node], incarnation);
    std::fill(suspects_[node].begin(), suspects_[node].end(), false);  // a fresh node suspects no one
    seen_[node] = Seen{n.suspicion_changes(), n.restarts_noticed()};
  }
  started_.clear();
}

// The node's latest input began or stopped suspecting some peers (in peer
// order, as its timeout check runs), or noticed a restart.
void HeartbeatObserver::look(Time t, NodeId node) {
  const heartbeat::HeartbeatNode& n = sim_.node(node);
  Seen& seen = seen_[node];
  if (n.suspicion_changes() != seen.suspicion_changes) {
    seen.suspicion_changes = n.suspicion_changes();
    for (NodeId subject = 0; subject < sim_.node_count(); ++subject) {
      if (subject == node) continue;
      if (n.suspects(subject) && !suspects_[node][subject]) suspected(t, node, subject);
      else if (!n.suspects(subject)) suspects_[node][subject] = false;
    }
  }
  // Modulo 2^16, as the node counts (a crashed node's count starts again at 0: on_crash).
  restarts_noticed_ += static_cast<std::uint16_t>(n.restarts_noticed() - seen.restarts_noticed);
  seen.restarts_noticed = n.restarts_noticed();
}

void HeartbeatObserver::suspected(Time t, NodeId node, NodeId subject) {
  suspects_[node][subject] = true;
  suspected_since_[node][subject] = t;
  // A paused process has not failed (it is slow): suspecting it is false.
  if (sim_.status(subject) != NodeStatus::kCrashed) ++false_suspicions_;
  if (auto it = pending_.find(subject); it != pending_.end()) {
    it->second.waiting.erase(node);
    resolve(subject, t);
  }
}

void HeartbeatObserver::on_crash(Time t, NodeId node) {
  ++crashes_;
  seen_[node] = Seen{};  // a fresh node stands in for it until it restarts
  last_fault_change_ = t;
  // The crashed node can no longer detect anyone.
  for (auto& [subject, pending] : pending_) pending.waiting.erase(node);
  std::vector<NodeId> resolved;
  for (auto& [subject, pending] : pending_)
    if (pending.waiting.empty()) resolved.push_back(subject);
  for (NodeId s : resolved) resolve(s, t);

  PendingDetection d{t, {}};
  for (NodeId w = 0; w < sim_.node_count(); ++w)
    if (w != node && sim_.is_running(w) && !suspects_[w][node]) d.waiting.insert(w);
  pending_[node] = std::move(d);
  resolve(node, t);
}

void HeartbeatObserver::on_restart(Time t, NodeId node) {
  last_fault_change_ = t;
  started_.push_back(node);
  up_since_[node] = t;
  // Completeness: a crash longer than the bound is suspected by every node
  // that ran throughout it.
  if (auto it = pending_.find(node); it != pending_.end() && t - it->second.crashed_at > convergence_bound_)
    for (NodeId w : it->second.waiting)
      if (sim_.is_running(w) && up_since_[w] <= it->second.crashed_at) ++missed_detections_;
  if (pending_.erase(node) > 0) ++undetected_;
}

void HeartbeatObserver::resolve(NodeId subject, Time t) {
  auto it = pending_.find(subject);
  if (it == pending_.end() || !it->second.waiting.empty()) return;
  detection_ns_.push_back(static_cast<double>(t - it->second.crashed_at));
  pending_.erase(it);
  if (stop_when_all_detected_ && pending_.empty()) sim_.request_stop("condition:all_crashes_detected");
}

std::uint64_t HeartbeatObserver::unconverged_pairs(Time end) const {
  // Eventual accuracy and completeness, judged at the end: a verdict may be
  // wrong only while it is younger than the bound, counted from the last
  // fault change or (a suspicion of a running peer) from when it began, so a
  // suspicion after a few lost heartbeats near the end is not a failure.
  std::uint64_t wrong = missed_detections_;
  for (NodeId o = 0; o < sim_.node_count(); ++o) {
    if (!sim_.is_running(o)) continue;
    for (NodeId p = 0; p < sim_.node_count(); ++p) {
      if (p == o) continue;
      if (sim_.is_running(p) && suspects_[o][p]) {
        if (end - std::max(suspected_since_[o][p], last_fault_change_) > convergence_bound_) ++wrong;
      } else if (!sim_.is_running(p) && !suspects_[o][p]) {
        if (end - last_fault_change_ > convergence_bound_) ++wrong;
      }
    }
  }
  return wrong;
}

void HeartbeatObserver::finish(Time end, Metrics& metrics) {
  undetected_ += pending_.size();
  pending_.clear();
  set_series(metrics, "detection_ns", detection_ns_);
  set_scalar(metrics, "undetected_crashes", static_cast<double>(undetected_));
  set_scalar(metrics, "false_suspicions", static_cast<double>(false_suspicions_));
  set_scalar(metrics, "restarts_noticed", static_cast<double>(restarts_noticed_));
  set_scalar(metrics, "crashes", static_cast<double>(crashes_));
  set_scalar(metrics, "unconverged_pairs", static_cast<double>(unconverged_pairs(end)));
}

}  // namespace faultline

// Simulation<P>, part of sim/simulation.hpp: fault actions (crash, restart,
// pause, resume, partitions, drift), from the fixed timeline and from the
// nemesis.
//
// The loader has checked the timeline on its own, but the nemesis can get
// there first (it restarted the node the timeline was about to restart), so
// an action that no longer applies is skipped and traced as "skipped".
#pragma once

namespace faultline {

namespace fault_detail {
inline std::string join_names(const Scenario& names, const std::vector<NodeId>& ids) {
  std::string out;
  for (NodeId id : ids) {
    if (!out.empty()) out += ',';
    out += names.node_name(id);
  }
  return out;
}

// Replaces kLeaderTarget in `ids` by `leader`; drops `leader` from `others`
// (a side or group that also names it by name: the `leader` entry wins).
inline void resolve_leader(std::vector<NodeId>& ids, NodeId leader, std::vector<std::vector<NodeId>*> others) {
  auto it = std::find(ids.begin(), ids.end(), kLeaderTarget);
  if (it == ids.end()) return;
  ids.erase(it);
  if (std::find(ids.begin(), ids.end(), leader) == ids.end()) ids.push_back(leader);
  for (auto* other : others) other->erase(std::remove(other->begin(), other->end(), leader), other->end());
}

inline bool targets_leader(const FaultEvent& f) {
  if (f.leader_side > 0) return true;
  auto in = [](const std::vector<NodeId>& v) { return std::find(v.begin(), v.end(), kLeaderTarget) != v.end(); };
  if (in(f.nodes) || in(f.from) || in(f.to)) return true;
  for (const auto& g : f.groups)
    if (in(g)) return true;
  return false;
}
// The timeline fault that does what nemesis action `a` does at `now`.
inline FaultEvent as_timeline_fault(const NemesisAction& a, Time now) {
  using A = NemesisAction::Kind;
  using K = FaultEvent::Kind;
  FaultEvent f;
  f.at = now;
  switch (a.kind) {
    case A::kCrash: f.kind = K::kCrash; break;
    case A::kRestart: f.kind = K::kRestart; break;
    case A::kPause: f.kind = K::kPause; break;
    case A::kResume: f.kind = K::kResume; break;
    case A::kPartition: f.kind = K::kPartition; break;
    case A::kIsolate: f.kind = K::kIsolate; break;
    case A::kHeal: f.kind = K::kHeal; break;
  }
  if (a.kind == A::kPartition) f.groups = {a.minority};  // the rest form one more group, as for the nemesis
  else if (a.node != kNoNode) f.nodes = {a.node};
  f.aimed_at_leader = a.at_leader;
  return f;
}
}  // namespace fault_detail

template <class P>
NodeId Simulation<P>::current_leader() const {
  if constexpr (requires { observer_.current_leader(); }) return observer_.current_leader();
  return kNoNode;
}

template <class P>
void Simulation<P>::apply_fault(const FaultEvent& timeline_fault) {
  using K = FaultEvent::Kind;
  const Scenario& names = scenario_;
  // `leader` targets resolve now; with no leader the fault does nothing.
  const FaultEvent* fp = &timeline_fault;
  FaultEvent resolved;
  if (fault_detail::targets_leader(timeline_fault)) {
    const NodeId leader = current_leader();
    if (leader == kNoNode) {
      trace_.fault(now_, "skipped", kNoNode, {{"action", "leader target"}, {"cause", "timeline: no leader"}});
      return;
    }
    resolved = timeline_fault;
    using fault_detail::resolve_leader;
    resolve_leader(resolved.nodes, leader, {});
    resolve_leader(resolved.from, leader, {&resolved.to});
    resolve_leader(resolved.to, leader, {&resolved.from});
    if (resolved.leader_side > 0) {
      std::vector<NodeId> side;
      for (NodeId i = 0; i < resolved.leader_side; ++i) side.push_back((leader + i) % node_count());
      resolved.groups = {std::move(side)};
    }
    for (auto& g : resolved.groups) {
      std::vector<std::vector<NodeId>*> others;
      for (auto& h : resolved.groups)
        if (&h != &g) others.push_back(&h);
      resolve_leader(g, leader, others);
    }
    fp = &resolved;
  }
  const FaultEvent& f = *fp;
  switch (f.kind) {
    case K::kCrash:
      for (NodeId n : f.nodes) {
        const bool hit = records_[n].status != NodeStatus::kCrashed;
        crash(n, "timeline");
        if (hit && f.undo_after > 0) queue_undo(K::kRestart, n, now_ + f.undo_after);
      }
      break;
    case K::kRestart:
      for (NodeId n : f.nodes) restart(n, "timeline");
      break;
    case K::kPause:
      for (NodeId n : f.nodes) {
        const bool hit = records_[n].status == NodeStatus::kRunning;
        pause(n, "timeline");
        if (hit && f.undo_after > 0) queue_undo(K::kResume, n, now_ + f.undo_after);
      }
      break;
    case K::kResume:
      for (NodeId n : f.nodes) resume(n, "timeline");
      break;
    case K::kPartition: {
      connectivity_.partition(f.groups);
      std::string groups;
      for (const auto& g : f.groups) {
        if (!groups.empty()) groups += '|';
        groups += fault_detail::join_names(names, g);
      }
      trace_.fault(now_, "partition", kNoNode, {{"groups", groups}, {"cause", "timeline"}});
      observer_.on_connectivity_change(now_);
      break;
    }
    case K::kOneWay: {
      connectivity_.cut_one_way(f.from, f.to);
      const std::string from = fault_detail::join_names(names, f.from), to = fault_detail::join_names(names, f.to);
      trace_.fault(now_, "one_way", kNoNode, {{"from", from}, {"to", to}, {"cause", "timeline"}});
      observer_.on_connectivity_change(now_);
      break;
    }
    case K::kIsolate:
      for (NodeId n : f.nodes) {
        connectivity_.isolate(n);
        trace_.fault(now_, "isolate", n, {{"cause", "timeline"}});
      }
      observer_.on_connectivity_change(now_);
      break;
    case K::kHeal:
      heal("timeline");
      break;
    case K::kAddServer:
    case K::kRemoveServer:
    case K::kTransferLeader:
      if constexpr (kHasKvClients) {
        kv::Request r;
        r.kind = f.kind == K::kAddServer      ? kv::OpKind::kAddServer
               : f.kind == K::kRemoveServer   ? kv::OpKind::kRemoveServer
                                              : kv::OpKind::kTransferLeader;
        r.server = f.nodes.at(0);
        trace_.fault(now_, kv::op_name(r.kind), r.server, {{"cause", "timeline"}});
        workload_->admin(now_, std::move(r));
      }
      break;
    case K::kDrift:
      for (NodeId n : f.nodes) {
        auto [it, inserted] = drifting_.try_emplace(n, NodeClock{now_, now_, 1'000'000});
        it->second.set_rate(now_, f.drift_ppm);
        trace_.fault(now_, "drift", n, {{"ppm", f.drift_ppm}, {"cause", "timeline"}});
      }
      break;
    case K::kSlowDisk:  // syncs begun from now on; those under way keep their time
      for (NodeId n : f.nodes) {
        disks_[n].factor_permille = f.disk_factor_permille;
        trace_.fault(now_, "slow_disk", n, {{"factor_permille", f.disk_factor_permille}, {"cause", "timeline"}});
      }
      break;
  }
}

// A crash or pause with `for` is undone on the node it hit (the leader's
// as it was resolved), whatever other entries come and go.
template <class P>
void Simulation<P>::queue_undo(FaultEvent::Kind kind, NodeId n, Time at) {
  FaultEvent undo;
  undo.kind = kind;
  undo.at = at;
  undo.nodes = {n};
  undo_faults_.push_back(std::move(undo));
  ++world_events_pending_;
  queue_.push(at, EventCode::make(EventKind::kFault, scenario_.faults.size() + undo_faults_.size() - 1));
}

template <class P>
void Simulation<P>::on_nemesis(std::uint32_t token) {
  nemesis_actions_.clear();
  nemesis_wakeups_.clear();
  std::vector<NodeStatus> status(records_.size());
  for (NodeId n = 0; n < records_.size(); ++n) status[n] = records_[n].status;
  const NodeId leader = current_leader();
  nemesis_.fire(token, now_, status, leader, nemesis_actions_, nemesis_wakeups_);
  using A = NemesisAction::Kind;
  for (const auto& a : nemesis_actions_) {
    if (options_.nemesis_record) options_.nemesis_record->push_back(fault_detail::as_timeline_fault(a, now_));
    switch (a.kind) {
      case A::kCrash: crash(a.node, "nemesis"); break;
      case A::kRestart: restart(a.node, "nemesis"); break;
      case A::kPause: pause(a.node, "nemesis"); break;
      case A::kResume: resume(a.node, "nemesis"); break;
      case A::kPartition: {
        connectivity_.partition({a.minority});
        const std::string side = fault_detail::join_names(scenario_, a.minority);
        trace_.fault(now_, "partition", kNoNode, {{"groups", side}, {"cause", "nemesis"}});
        observer_.on_connectivity_change(now_);
        break;
      }
      case A::kIsolate:
        connectivity_.isolate(a.node);
        trace_.fault(now_, "isolate", a.node, {{"cause", "nemesis"}});
        observer_.on_connectivity_change(now_);
        break;
      case A::kHeal: heal("nemesis"); break;
    }
  }
  for (const auto& w : nemesis_wakeups_) {
    ++world_events_pending_;
    queue_.push(w.at, EventCode::make(EventKind::kNemesis, w.token));
  }
}

template <class P>
void Simulation<P>::crash(NodeId n, std::string_view cause) {
  if (records_[n].status == NodeStatus::kCrashed) {
    trace_.fault(now_, "skipped", n, {{"action", "crash"}, {"cause", cause}});
    return;
  }
  if constexpr (requires { observer_.before_crash(now_, n); }) observer_.before_crash(now_, n);
  // Volatile state, timers and the paused backlog are lost; messages in
  // flight to it are dropped on arrival (sent before last_crash); unsynced
  // storage writes are lost.
  if (auto it = backlog_.find(n); it != backlog_.end()) {
    for (std::uint64_t code : it->second) {
      if (EventCode::kind(code) == EventKind::kLocalDeliver) {
        drop_in_flight(EventCode::delivery_slot(code), n, DropReason::kCrashed);
      }
    }
    backlog_.erase(it);
  }
  ever_down_ = true;
  records_[n].status = NodeStatus::kCrashed;
  if (last_crash_.empty()) last_crash_.assign(records_.size(), -1);
  last_crash_[n] = now_;
  for (TimerSlot s = 0; s < P::kTimerSlots; ++s) {
    ++records_[n].timer_generation[s];
    if constexpr (kDefersTimers) records_[n].deferred[s].queued_at = kNotQueued;
  }
  if (!disks_.empty()) lose_outstanding_syncs(n);  // they did not happen: their writes and held sends are lost
  if (!stores_.empty() && stores_[n]) stores_[n]->crash();
  records_[n].node = make_node(n);
  trace_.fault(now_, "crash", n, {{"cause", cause}});
  observer_.on_crash(now_, n);
}

template <class P>
void Simulation<P>::restart(NodeId n, std::string_view cause) {
  if (records_[n].status != NodeStatus::kCrashed) {
    trace_.fault(now_, "skipped", n, {{"action", "restart"}, {"cause", cause}});
    return;
  }
  records_[n].status = NodeStatus::kRunning;
  trace_.fault(now_, "restart", n, {{"cause", cause}});
  observer_.on_restart(now_, n);
  start_node(n);  // it recovers from what it synced
}

template <class P>
void Simulation<P>::pause(NodeId n, std::string_view cause) {
  if (records_[n].status != NodeStatus::kRunning) {
    trace_.fault(now_, "skipped", n, {{"action", "pause"}, {"cause", cause}});
    return;
  }
  ever_down_ = true;
  records_[n].status = NodeStatus::kPaused;
  trace_.fault(now_, "pause", n, {{"cause", cause}});
  observer_.on_pause(now_, n);
}

template <class P>
void Simulation<P>::resume(NodeId n, std::string_view cause) {
  if (records_[n].status != NodeStatus::kPaused) {
    trace_.fault(now_, "skipped", n, {{"action", "resume"}, {"cause", cause}});
    return;
  }
  records_[n].status = NodeStatus::kRunning;
  trace_.fault(now_, "resume", n, {{"cause", cause}});
  observer_.on_resume(now_, n);
  // The backlog runs now, in the order it arrived.
  if (auto it = backlog_.find(n); it != backlog_.end()) {
    for (std::uint64_t code : it->second) queue_.push(now_, code);
    backlog_.erase(it);
  }
}

template <class P>
void Simulation<P>::heal(std::string_view cause) {
  connectivity_.heal();
  trace_.fault(now_, "heal", kNoNode, {{"cause", cause}});
  observer_.on_connectivity_change(now_);
}

}  // namespace faultline

// Simulation<P> fault actions: crash, restart, pause, resume, partitions,
// drift; from the fixed timeline and from the nemesis.
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
}  // namespace fault_detail

template <class P>
void Simulation<P>::apply_fault(const FaultEvent& f) {
  using K = FaultEvent::Kind;
  const Scenario& names = scenario_;
  switch (f.kind) {
    case K::kCrash:
      for (NodeId n : f.nodes) crash(n, "timeline");
      break;
    case K::kRestart:
      for (NodeId n : f.nodes) restart(n, "timeline");
      break;
    case K::kPause:
      for (NodeId n : f.nodes) pause(n, "timeline");
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
    case K::kDrift:
      for (NodeId n : f.nodes) {
        auto [it, inserted] = drifting_.try_emplace(n, NodeClock{now_, now_, 1'000'000});
        it->second.set_rate(now_, f.drift_ppm);
        trace_.fault(now_, "drift", n, {{"ppm", f.drift_ppm}, {"cause", "timeline"}});
      }
      break;
  }
}

template <class P>
void Simulation<P>::on_nemesis(std::uint32_t token) {
  nemesis_actions_.clear();
  nemesis_wakeups_.clear();
  std::vector<NodeStatus> status(records_.size());
  for (NodeId n = 0; n < records_.size(); ++n) status[n] = records_[n].status;
  NodeId leader = kNoNode;
  if constexpr (requires { observer_.current_leader(); }) leader = observer_.current_leader();
  nemesis_.fire(token, now_, status, leader, nemesis_actions_, nemesis_wakeups_);
  using A = NemesisAction::Kind;
  for (const auto& a : nemesis_actions_) {
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
  for (const auto& w : nemesis_wakeups_) queue_.push(w.at, EventCode::make(EventKind::kNemesis, w.token));
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
        const auto slot = EventCode::delivery_slot(code);
        drop(pool_[slot], DropReason::kCrashed);
        free_slot(slot);
      }
    }
    backlog_.erase(it);
  }
  records_[n].status = NodeStatus::kCrashed;
  records_[n].last_crash = now_;
  for (TimerSlot s = 0; s < P::kTimerSlots; ++s) ++records_[n].timer_generation[s];
  if (stores_[n]) stores_[n]->crash();
  records_[n].node = P::make_node(n, node_count(), params_);
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

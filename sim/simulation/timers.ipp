// Simulation<P>, part of sim/simulation.hpp: timers, local clocks (drift)
// and the nodes' storage.
#pragma once

namespace faultline {

template <class P>
Time Simulation<P>::local_now(NodeId n) const {
  if (drifting_.empty()) return now_;
  auto it = drifting_.find(n);
  return it == drifting_.end() ? now_ : it->second.local(now_);
}

template <class P>
void Simulation<P>::set_timer(NodeId n, TimerSlot slot, Duration after) {
  if (slot >= P::kTimerSlots) throw std::logic_error(fmt::format("timer slot {} out of range", slot));
  if (after < 0) throw std::logic_error(fmt::format("{} set a timer {} ns in the past", node_name(n), after));
  if (!drifting_.empty()) {
    if (auto it = drifting_.find(n); it != drifting_.end()) after = it->second.real_duration(after);
  }
  // A real timer fires late, never early: by a draw from the node's jitter.
  if (!jitter_.empty()) after += sample_latency(*jitter_[n].latency, jitter_[n].rng);
  const Time at = now_ + after;
  if constexpr (kDefersTimers) {
    DeferredTimer& d = records_[n].deferred[slot];
    if (defer_timers_ && d.queued_at != kNotQueued && d.queued_at < at) {
      d.deadline = at;  // its live event, popped first, is pushed again at `at` (run())
      return;
    }
    d = {at, at};
  }
  const std::uint32_t generation = ++records_[n].timer_generation[slot];
  queue_.push(at, EventCode::timer(n, slot, generation));
}

template <class P>
void Simulation<P>::on_timer(std::uint64_t code) {
  if (timer_stale(code)) return;  // re-armed, cancelled, or crashed since
  const NodeId n = EventCode::timer_node(code);
  const TimerSlot slot = EventCode::timer_slot(code);
  if constexpr (kDefersTimers) records_[n].deferred[slot].queued_at = kNotQueued;  // fired, or held: out of the queue
  if (records_[n].status == NodeStatus::kPaused) {
    backlog_[n].push_back(code);  // fires when the node resumes
    return;
  }
  ++events_;
  // Disarm before the call, so a node that re-arms the slot inside on_timer
  // is not confused with this firing.
  ++records_[n].timer_generation[slot];
  trace_.timer_fired(now_, n, slot);
  if constexpr (requires { observer_.before_timer(now_, n, slot); }) observer_.before_timer(now_, n, slot);
  hand_input_to(n);
  records_[n].node.on_timer(*host_, slot);
}

template <class P>
MemoryStore& Simulation<P>::make_store(NodeId n) {
  // Sized on the first use: protocols that never store (gossip) pay no
  // pointer per node (8 MB at a million nodes).
  if (stores_.empty()) stores_.resize(node_count());
  if (!stores_[n]) stores_[n] = std::make_unique<MemoryStore>();
  return *stores_[n];
}

}  // namespace faultline

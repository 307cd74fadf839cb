// Simulation<P>, part of sim/simulation.hpp: construction, the event loop
// and its dispatch, the end of the run.
#pragma once

namespace faultline {

template <class P>
Simulation<P>::Simulation(const Scenario& scenario, const Params& params, const RunOptions& options)
    : scenario_(scenario),
      params_(params),
      options_(options),
      shared_state_(make_shared_state(params_, scenario_.node_count())),
      links_(scenario_.network, scenario_.node_count()),
      connectivity_(scenario_.node_count()),
      network_rng_(derive_seed(options.seed, Stream::kNetwork)),
      nemesis_(scenario_.nemesis, scenario_.node_count(), scenario_.duration, derive_seed(options.seed, Stream::kNemesis)),
      trace_(scenario_, options.trace_level),
      observer_(scenario_, params_, *this),
      host_(std::make_unique<NodeHost>(*this)) {
  const NodeId n = scenario_.node_count();
  records_.reserve(n);
  advise_huge_pages(records_.data(), n * sizeof(NodeRecord));  // before the pages are touched
  // Room for about one message in flight per node up front (the common
  // steady state), so the pool rarely grows (growing copies it, twice the
  // memory for a moment) and sits on huge pages.
  pool_.reserve(std::min<std::size_t>(n, std::size_t{1} << 22));
  if constexpr (kPacks) packed_pool_.reserve(std::min<std::size_t>(n, std::size_t{1} << 22));
  for (NodeId i = 0; i < n; ++i)
    records_.push_back(NodeRecord{make_node(i), {}, NodeStatus::kRunning,
                                  Rng(derive_seed(options.seed, Stream::kNode, i))});
  // Per-node latencies of the disk and of timer jitter: the default, then
  // the overrides in file order (later ones win).
  auto per_node = [n](const LatencySpec& fallback, const std::vector<NodeLatencyOverride>& overrides) {
    std::vector<const LatencySpec*> out(n, &fallback);
    for (const auto& o : overrides)
      for (NodeId id : o.nodes) out[id] = &o.latency;
    return out;
  };
  if (scenario_.disk.enabled) {
    const auto latency = per_node(scenario_.disk.sync, scenario_.disk.nodes);
    disks_.reserve(n);
    for (NodeId i = 0; i < n; ++i) {
      disks_.emplace_back();
      disks_.back().latency = latency[i];
      disks_.back().rng = Rng(derive_seed(options.seed, Stream::kDisk, i));
    }
  }
  if (scenario_.timers.enabled) {
    const auto latency = per_node(scenario_.timers.jitter, scenario_.timers.nodes);
    jitter_.reserve(n);
    for (NodeId i = 0; i < n; ++i)
      jitter_.push_back(NodeJitter{latency[i], Rng(derive_seed(options.seed, Stream::kTimerJitter, i))});
  }
  if constexpr (kHasKvClients) {
    // Operator requests in the timeline need the workload's operator client,
    // even in a scenario without clients.
    const bool admin = std::any_of(scenario_.faults.begin(), scenario_.faults.end(),
                                   [](const FaultEvent& f) { return f.is_admin(); });
    if (scenario_.workload || admin) {
      static const WorkloadSpec kNoClients = [] {
        WorkloadSpec w;
        w.clients = 0;
        return w;
      }();
      // The workload schedules its wake-ups (kClient events, counted in
      // world_events_pending_) and hashes its trace events itself.
      KvWorkload::Hooks hooks;
      hooks.context = this;
      hooks.schedule = [](void* sim, Time at, std::uint64_t payload) {
        auto* self = static_cast<Simulation*>(sim);
        ++self->world_events_pending_;
        self->queue_.push(at, payload);
      };
      hooks.deliver = [](void* sim, NodeId node, ClientId client, const kv::Request& r) {
        static_cast<Simulation*>(sim)->client_request(node, client, r);
      };
      hooks.trace = &trace_;
      workload_ = std::make_unique<KvWorkload>(scenario_.workload ? *scenario_.workload : kNoClients,
                                               scenario_.network.defaults.latency, n,
                                               scenario_.duration, derive_seed(options.seed, Stream::kWorkload),
                                               hooks);
    }
  }
  // Prefetching pays when the node records do not fit in cache (a gossip run
  // of a million nodes); for a handful of large records it is pure cost.
  if (static_cast<std::size_t>(node_count()) * sizeof(NodeRecord) > kPrefetchAboveBytes)
    queue_.set_prefetch_hook(&Simulation::prefetch_for, this);
  if (!options.trace_path.empty()) trace_.open(options.trace_path, options.force_output);
  if constexpr (requires(const Node& node) { node.quiescent(); })
    stop_when_quiescent_ = std::find(scenario.stop.when.begin(), scenario.stop.when.end(), "quiescent") !=
                           scenario.stop.when.end();
}

template <class P>
void Simulation<P>::prefetch_for(void* self, std::uint64_t payload) {
  auto* sim = static_cast<Simulation*>(self);
  switch (EventCode::kind(payload)) {
    case EventKind::kDeliver:
    case EventKind::kLocalDeliver:
    {
      sim->prefetch_record(EventCode::delivery_to(payload), kDeliveryPrefetchBytes);
      // The slot's prefetch is written out here, not in a member function:
      // GCC 12 counts a function whose only effect is a prefetch as one
      // without effects and drops the call (it dropped such a function's,
      // and the million-node run stalled on every delivery's slot).
      const std::uint32_t slot = EventCode::delivery_slot(payload);
      if constexpr (kPacks) {
        if (slot & kPackedSlot) {
          __builtin_prefetch(&sim->packed_pool_[slot & ~kPackedSlot]);
          break;
        }
      }
      __builtin_prefetch(&sim->pool_.at(slot));
      break;
    }
    case EventKind::kTimer:
      sim->prefetch_record(EventCode::timer_node(payload));
      break;
    default:
      break;
  }
}

template <class P>
RunResult Simulation<P>::run() {
  for (std::size_t i = 0; i < scenario_.faults.size(); ++i)
    queue_.push(scenario_.faults[i].at, EventCode::make(EventKind::kFault, i));
  world_events_pending_ = scenario_.faults.size();
  for (const auto& w : nemesis_.first_wakeups()) {
    ++world_events_pending_;
    queue_.push(w.at, EventCode::make(EventKind::kNemesis, w.token));
  }
  for (NodeId n = 0; n < node_count(); ++n) start_node(n);
  if (workload_) workload_->start();

  const std::uint64_t max_events = scenario_.stop.max_events.value_or(UINT64_MAX);
  std::string end_reason = "duration";
  // RunOptions::stop and deadline, looked at every kStopCheckEvents events.
  std::uint32_t until_stop_check = options_.stoppable() ? RunOptions::kStopCheckEvents : UINT32_MAX;
  // Dropping stale timers (kDropsStaleTimers) starts after the first pop:
  // from then on a stale pop follows another pop, its after_event repeats
  // one with nothing changed in between, and the quiescence check after
  // it repeats one that found the run busy (else it would have stopped).
  // (The first after_event has no such predecessor: it looks at every
  // node.) Not with max_events: the end reason reads the next pop's time,
  // which may be a stale timer's (after the duration: "duration", else
  // "max_events"). The queue emptying is no matter: the end is "duration"
  // then, now_ the duration, whatever was popped last. The stop check
  // counts pops: a stopped run ends where it is stopped, at best
  // reproducible to kStopCheckEvents (RunOptions).
  bool start_dropping = kDropsStaleTimers && !scenario_.stop.max_events;
  [[maybe_unused]] bool dropping = false;
  while (!queue_.empty() && stop_reason_.empty()) {
    const Event& next = queue_.top();  // valid until the pop_top below: nothing pushes in between
    if (next.time > scenario_.duration) break;
    if (events_ >= max_events) {
      end_reason = "max_events";
      break;
    }
    if (--until_stop_check == 0) {
      if (options_.stop_now()) {
        end_reason = "stopped";
        break;
      }
      until_stop_check = RunOptions::kStopCheckEvents;
    }
    const Event e = next;
    queue_.pop_top();
    if constexpr (kDropsStaleTimers) {
      // Stale since its last move: skipped, as the queue drops the others.
      if (EventCode::kind(e.payload) == EventKind::kTimer && dropping) {
        if (timer_stale(e.payload)) continue;
        // Set again to a later time since it was pushed: pushed again there.
        DeferredTimer& d = records_[EventCode::timer_node(e.payload)].deferred[EventCode::timer_slot(e.payload)];
        if (d.deadline > e.time) {
          d.queued_at = d.deadline;
          queue_.push(d.deadline, e.payload);
          continue;
        }
      }
    }
    now_ = e.time;
    dispatch(e);
    if (start_dropping) [[unlikely]] {
      start_dropping = false;
      dropping = true;
      queue_.set_dead_test(StaleTimer{this});
      defer_timers_ = kDefersTimers;
    }
    if (stop_when_quiescent_ && stop_reason_.empty() && quiescent_now()) request_stop("condition:quiescent");
  }
  RunResult result;
  if (!stop_reason_.empty()) {
    result.stop_reason = stop_reason_;
  } else {
    result.stop_reason = end_reason;
    if (end_reason == "duration") now_ = scenario_.duration;
  }
  finish(result);
  return result;
}

template <class P>
void Simulation<P>::dispatch(const Event& e) {
  switch (EventCode::kind(e.payload)) {
    case EventKind::kDeliver:
      on_deliver(EventCode::delivery_slot(e.payload), EventCode::delivery_to(e.payload), false);
      break;
    case EventKind::kLocalDeliver:
      on_deliver(EventCode::delivery_slot(e.payload), EventCode::delivery_to(e.payload), true);
      break;
    case EventKind::kTimer: on_timer(e.payload); break;
    case EventKind::kFault:
      ++events_;
      --world_events_pending_;
      if (const auto i = EventCode::index(e.payload); i < scenario_.faults.size()) apply_fault(scenario_.faults[i]);
      else apply_fault(undo_faults_[i - scenario_.faults.size()]);
      break;
    case EventKind::kNemesis:
      ++events_;
      --world_events_pending_;
      on_nemesis(static_cast<std::uint32_t>(EventCode::index(e.payload)));
      break;
    case EventKind::kClient:
      ++events_;
      --world_events_pending_;
      workload_->on_event(now_, EventCode::index(e.payload));
      break;
    case EventKind::kSyncDone: on_sync_done(e.payload); break;
  }
  if constexpr (requires { observer_.after_event(now_); }) observer_.after_event(now_);
}

template <class P>
NodeId Simulation<P>::acting_node() const {
  return host_->self();
}

template <class P>
bool Simulation<P>::quiescent_now() {
  if constexpr (requires(const Node& node) { node.quiescent(); }) {
    if (world_events_pending_ != 0 || !backlog_.empty() || in_flight() != 0) return false;
    // A sync under way will complete, and release what waits behind it.
    for (const NodeDisk& d : disks_)
      if (d.completed < d.begun) return false;
    // Ask the node that was busy last time first: while spreading goes on it
    // usually still is, so the check costs O(1) rather than O(nodes).
    const NodeId n = node_count();
    for (NodeId i = 0; i < n; ++i) {
      const NodeId x = (busy_node_hint_ + i) % n;
      if (records_[x].status != NodeStatus::kCrashed && !records_[x].node.quiescent()) {
        busy_node_hint_ = x;
        return false;
      }
    }
    return true;
  } else {
    return false;
  }
}

template <class P>
void Simulation<P>::start_node(NodeId n) {
  hand_input_to(n);
  records_[n].node.on_start(*host_);
}

template <class P>
void Simulation<P>::report_violation(NodeId node, std::string invariant, std::string message) {
  trace_.violation(now_, node, invariant, message);
  violations_.push_back({now_, node == kNoNode ? std::string() : node_name(node), std::move(invariant),
                         std::move(message)});
  request_stop("violation");
}

template <class P>
template <class Request>
void Simulation<P>::client_request(NodeId n, ClientId client, const Request& request) {
  if (records_[n].status != NodeStatus::kRunning) return;  // the request is lost; the client times out
  if constexpr (requires { observer_.on_client_request(now_, n, client, request); })
    observer_.on_client_request(now_, n, client, request);
  hand_input_to(n);
  records_[n].node.on_client_request(*host_, client, request);
}

// ---- End of run ----

template <class P>
void Simulation<P>::check_client_history(Metrics& metrics) {
  workload_->finish(now_, metrics);
  // The cost of agreement, comparable across protocols: all cluster traffic
  // (heartbeats and elections included) per acknowledged client operation.
  if (const double ok = metrics.at("ops_ok").samples.at(0); ok > 0) {
    set_scalar(metrics, "messages_per_commit", static_cast<double>(sent_) / ok);
    set_scalar(metrics, "bytes_per_commit", static_cast<double>(bytes_) / ok);
  }
  if (!options_.history_path.empty())
    write_history_csv(options_.history_path, flatten(workload_->history()), options_.force_output);
  const LinearizabilityResult lin = check_linearizability(workload_->history());
  set_scalar(metrics, "linearizability_steps", static_cast<double>(lin.steps));
  set_scalar(metrics, "linearizability_unknown", lin.verdict == LinearizabilityResult::Verdict::kUnknown ? 1.0 : 0.0);
  if (lin.verdict == LinearizabilityResult::Verdict::kNotLinearizable) {
    std::string witness;
    for (const auto& op : lin.witness) witness += "\n    " + describe(op);
    if (lin.witness.size() > 40) witness = fmt::format(" ({} operations; the last 40:)", lin.witness.size()) +
                                           witness.substr(witness.size() - std::min(witness.size(), std::size_t{4000}));
    violations_.push_back({now_, "", "linearizability",
                           fmt::format("the client history of key {} is not linearizable; smallest failing "
                                       "sub-history found ({} operations):{}",
                                       lin.key, lin.witness.size(), witness)});
    trace_.violation(now_, kNoNode, violations_.back().invariant, violations_.back().message);
  } else if (lin.verdict == LinearizabilityResult::Verdict::kUnknown) {
    // The search's safety net ran out: no verdict is not a pass.
    violations_.push_back({now_, "", "linearizability",
                           fmt::format("unknown: search budget exhausted ({} steps) on key {}; the client history "
                                       "was neither linearized nor refuted",
                                       lin.steps, lin.key)});
    trace_.violation(now_, kNoNode, violations_.back().invariant, violations_.back().message);
  }
}

template <class P>
void Simulation<P>::finish(RunResult& r) {
  r.scenario = scenario_.name;
  r.path = scenario_.path;
  r.seed = options_.seed;
  r.virtual_time_ns = now_;
  r.events = events_;
  r.messages_sent = sent_;
  r.messages_delivered = delivered_;
  r.messages_dropped = dropped_;
  r.messages_duplicated = duplicated_;
  r.messages_in_flight = in_flight();
  r.bytes_sent = bytes_;
  for (int i = 0; i < 3; ++i)
    if (dropped_by_[i] > 0) r.drops_by_reason[std::string(drop_reason_name(static_cast<DropReason>(i)))] = dropped_by_[i];
  if (workload_ && r.stop_reason != "stopped") check_client_history(r.metrics);
  r.violations = violations_;
  observer_.finish(now_, r.metrics);
  r.trace_hash = trace_.hash();
  set_scalar(r.metrics, "events", static_cast<double>(events_));
  set_scalar(r.metrics, "messages_sent", static_cast<double>(sent_));
  set_scalar(r.metrics, "messages_delivered", static_cast<double>(delivered_));
  set_scalar(r.metrics, "messages_dropped", static_cast<double>(dropped_));
  set_scalar(r.metrics, "bytes_sent", static_cast<double>(bytes_));
  set_scalar(r.metrics, "virtual_time_ns", static_cast<double>(now_));
  if (!options_.trace_path.empty()) trace_.commit();
}

}  // namespace faultline

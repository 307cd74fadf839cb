// Simulation<P>, part of sim/simulation.hpp: the disk (scenario `disk:`),
// syncs that take time and the output that waits for them.
#pragma once

namespace faultline {

// A sync begins when the node calls it and completes after a draw from the
// node's sync latency (times its slow_disk factor), in virtual time, never
// before an earlier sync of the node (one disk, in order). Until then what
// it covers is not durable (a crash loses it), and everything the node sends
// or replies meanwhile is held and leaves, in order, when the latest sync
// begun before it completes: persist-before-send holds in time. The node
// goes on handling events meanwhile. A sync with nothing new to make
// durable costs nothing and is not traced: what follows it waits only for
// the syncs already under way (a follower's answer to a heartbeat).

template <class P>
void Simulation<P>::begin_sync(NodeId n) {
  NodeDisk& d = disks_[n];
  if (!store(n).written_since_last_sync()) return;
  Duration latency = sample_latency(*d.latency, d.rng);
  if (d.factor_permille != 1000) latency = static_cast<Duration>(static_cast<__int128>(latency) * d.factor_permille / 1000);
  const std::uint64_t id = ++d.begun;
  store(n).begin_sync();
  // What the node holds at the end of this event is what this sync makes
  // durable (an observer reads it then: views are read between events).
  if constexpr (requires { observer_.on_sync_begun(now_, n); }) observer_.on_sync_begun(now_, n);
  const bool idle = d.completed + 1 == d.begun && d.held.empty();
  if (latency == 0 && idle) {  // an instant sync on an idle disk: durable before the node goes on
    trace_.disk(now_, n, "sync", {{"id", id}, {"done_at", now_}});
    ++d.completed;
    store(n).complete_sync();
    trace_.disk(now_, n, "synced", {{"id", id}});
    return;
  }
  const Time done = std::max(now_ + latency, d.last_done);
  d.last_done = done;
  trace_.disk(now_, n, "sync", {{"id", id}, {"done_at", done}});
  queue_.push(done, EventCode::sync_done(n, d.epoch, false));
}

template <class P>
void Simulation<P>::hold(NodeId n, std::variant<std::pair<NodeId, Message>, std::pair<ClientId, Reply>>&& output) {
  NodeDisk& d = disks_[n];
  d.held.push_back(HeldOutput{d.begun, std::move(output)});
}

template <class P>
void Simulation<P>::deliver_reply(NodeId n, ClientId client, Reply&& reply) {
  if constexpr (requires { observer_.on_reply(Time{}, NodeId{}, client, reply); })
    observer_.on_reply(now_, n, client, reply);
  if constexpr (kHasKvClients) {
    if (workload_) workload_->on_reply(now_, reply);
  }
}

template <class P>
void Simulation<P>::on_sync_done(std::uint64_t code) {
  const NodeId n = EventCode::sync_node(code);
  NodeDisk& d = disks_[n];
  if (EventCode::sync_epoch(code) != (d.epoch & EventCode::kDiskEpochMask)) return;  // lost in a crash
  ++events_;
  if (!EventCode::sync_release_only(code)) {
    ++d.completed;
    store(n).complete_sync();
    trace_.disk(now_, n, "synced", {{"id", d.completed}});
    if (records_[n].status == NodeStatus::kPaused) {
      // Durable now; the stalled process sends what it held when it resumes.
      backlog_[n].push_back(EventCode::sync_done(n, d.epoch, true));
      return;
    }
  }
  release_held(n);
}

template <class P>
void Simulation<P>::release_held(NodeId n) {
  NodeDisk& d = disks_[n];
  while (!d.held.empty() && d.held.front().after_sync <= d.completed) {
    HeldOutput h = std::move(d.held.front());
    d.held.pop_front();
    if (auto* m = std::get_if<0>(&h.output)) send(n, m->first, std::move(m->second));
    else {
      auto& r = std::get<1>(h.output);
      deliver_reply(n, r.first, std::move(r.second));
    }
  }
}

template <class P>
void Simulation<P>::lose_outstanding_syncs(NodeId n) {
  NodeDisk& d = disks_[n];
  const std::uint64_t lost = d.begun - d.completed;
  const std::uint64_t held = d.held.size();
  if (lost == 0 && held == 0) return;
  trace_.disk(now_, n, "sync_lost", {{"syncs", lost}, {"held", held}});
  d.completed = d.begun;
  d.held.clear();
  d.last_done = now_;
  ++d.epoch;
}

}  // namespace faultline

// Simulation<P>, part of sim/simulation.hpp: the network path. A send is
// dropped by a cut link or loss, maybe duplicated, and delivered after a
// sampled latency unless the receiver crashed or a partition came between.
#pragma once

namespace faultline {

template <class P>
std::uint32_t Simulation<P>::allocate_slot(Message&& message, NodeId from, NodeId to, std::uint32_t cut_version,
                                           std::uint64_t id) {
  // The message goes straight into its slot: no InFlight made and destroyed
  // on the way (a move and a destruction of the message fewer per send).
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    InFlight& m = pool_[slot];
    m.message = std::move(message);
    m.from = from;
    m.to = to;
    m.cut_version = cut_version;
    m.sent_at = now_;
    m.id = id;
    return slot;
  }
  pool_.push_back(InFlight{std::move(message), from, to, cut_version, now_, id});
  return static_cast<std::uint32_t>(pool_.size() - 1);
}

template <class P>
void Simulation<P>::drop(const InFlight& m, DropReason reason) {
  ++dropped_;
  ++dropped_by_[static_cast<int>(reason)];
  trace_.message_dropped(now_, m.from, m.to, P::message_type(m.message), m.id, reason, fields_of(m.message));
}

template <class P>
void Simulation<P>::send(NodeId from, NodeId to, Message&& message) {
  if (to >= node_count())
    throw std::logic_error(fmt::format("{} sent a message to node id {}, which does not exist", node_name(from), to));
  const std::uint64_t id = sent_++;
  std::uint32_t bytes;
  if constexpr (requires { P::message_bytes(message, params_); }) bytes = P::message_bytes(message, params_);
  else bytes = P::message_bytes(message);
  bytes_ += bytes;
  trace_.message_sent(now_, from, to, P::message_type(message), bytes, id, fields_of(message));
  if constexpr (requires { observer_.on_send(now_, from, to, message); }) observer_.on_send(now_, from, to, message);

  // A cut link loses the message at once; otherwise the link may lose it,
  // and may deliver it twice.
  if (connectivity_.blocked_now(from, to)) {
    drop(InFlight{std::move(message), from, to, 0, now_, id}, DropReason::kPartition);
    return;
  }
  const LinkParams link = links_.resolve(from, to);
  if (!link.loss.never() && link.loss.draw(network_rng_)) {
    drop(InFlight{std::move(message), from, to, 0, now_, id}, DropReason::kLoss);
    return;
  }
  if (!link.duplicate.never() && link.duplicate.draw(network_rng_)) {
    ++duplicated_;
    trace_.message_duplicated(now_, from, to, P::message_type(message), id, fields_of(message));
    enqueue_copy(from, to, link, Message(message), id);
  }
  enqueue_copy(from, to, link, std::move(message), id);
}

template <class P>
void Simulation<P>::enqueue_copy(NodeId from, NodeId to, const LinkParams& link, Message&& message, std::uint64_t id) {
  Time arrival = now_ + sample_latency(*link.latency, network_rng_);
  if (scenario_.network.fifo) {
    // Per-link FIFO: never arrive before an earlier message on this link.
    // Equal times keep send order because the queue breaks ties by sequence.
    Time& last = last_arrival_[(static_cast<std::uint64_t>(from) << 32) | to];
    arrival = std::max(arrival, last);
    last = arrival;
  }
  const std::uint32_t slot = allocate_slot(std::move(message), from, to, connectivity_.version(), id);
  queue_.push(arrival, EventCode::delivery(EventKind::kDeliver, slot, to));
}

template <class P>
void Simulation<P>::on_deliver(std::uint32_t slot, NodeId to, bool from_backlog) {
  ++events_;
  // Two independent loads, likely both cache misses on a big cluster: issue
  // them together so their latencies overlap.
  __builtin_prefetch(&records_[to]);
  InFlight& m = pool_[slot];
  NodeRecord& receiver = records_[to];
  // Arriving at a node that is down loses it, as does a crash of the
  // receiver since the send (even if it has restarted since).
  if (receiver.status == NodeStatus::kCrashed || receiver.last_crash >= m.sent_at) {
    drop(m, DropReason::kCrashed);
    free_slot(slot);
    return;
  }
  if (!from_backlog) {
    // A partition made while the message was in flight loses it.
    if (m.cut_version != connectivity_.version() && connectivity_.blocked_since(m.cut_version, m.from, m.to)) {
      drop(m, DropReason::kPartition);
      free_slot(slot);
      return;
    }
    if (receiver.status == NodeStatus::kPaused) {
      // It reached the machine; the stalled process handles it on resume.
      backlog_[to].push_back(EventCode::delivery(EventKind::kLocalDeliver, slot, to));
      return;
    }
  }
  ++delivered_;
  trace_.message_delivered(now_, m.from, m.to,
                           trace_.writes_messages() ? P::message_type(m.message) : std::string_view(), m.id,
                           fields_of(m.message));
  const NodeId from = m.from;
  Message message = std::move(m.message);
  free_slot(slot);
  host_->bind(to);
  receiver.node.on_message(*host_, from, message);
}

}  // namespace faultline

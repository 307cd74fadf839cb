// Simulation<P>, part of sim/simulation.hpp: the network path. A send is
// dropped by a cut link or loss, maybe duplicated, and delivered after a
// sampled latency unless the receiver crashed or a partition came between.
#pragma once

namespace faultline {

template <class P>
void Simulation<P>::drop(NodeId from, NodeId to, const Message& message, std::uint64_t id, DropReason reason) {
  ++dropped_;
  ++dropped_by_[static_cast<int>(reason)];
  trace_.message_dropped(now_, from, to, P::message_type(message), id, reason, fields_of(message));
}

template <class P>
void Simulation<P>::drop_in_flight(std::uint32_t slot, NodeId to, DropReason reason) {
  if constexpr (kPacks) {
    if (slot & kPackedSlot) {
      const PackedInFlight& m = packed_pool_[slot & ~kPackedSlot];
      drop(m.from, to, message_of(m), id_of(m), reason);
      packed_pool_.release(slot & ~kPackedSlot);
      return;
    }
  }
  const InFlight& m = pool_.at(slot);
  drop(m.from, to, m.message(), m.id, reason);
  pool_.release(slot);
}

template <class P>
void Simulation<P>::send(NodeId from, NodeId to, Message&& message) {
  if (to >= node_count()) [[unlikely]] throw_no_such_node(from, to);
  const std::uint64_t id = sent_++;
  std::uint32_t bytes;
  if constexpr (requires { P::message_bytes(message, params_); }) bytes = P::message_bytes(message, params_);
  else bytes = P::message_bytes(message);
  bytes_ += bytes;
  if constexpr (requires { P::message_type_text(message); })
    trace_.message_sent(now_, from, to, P::message_type_text(message), bytes, id, fields_of(message));
  else
    trace_.message_sent(now_, from, to, P::message_type(message), bytes, id, fields_of(message));
  if constexpr (requires { observer_.on_send(now_, from, to, message); }) observer_.on_send(now_, from, to, message);

  // A cut link loses the message at once; otherwise the link may lose it,
  // and may deliver it twice.
  // No active cut (the usual case) is asked inline: no call per send.
  if (connectivity_.any_active() && connectivity_.blocked_now(from, to)) {
    drop(from, to, message, id, DropReason::kPartition);
    return;
  }
  // Links that lose and duplicate nothing (no override either) are asked
  // one flag, not resolved and tested twice.
  if (links_.all_reliable()) {
    enqueue(from, to, links_.default_latency(), std::move(message), id);
    return;
  }
  const LinkParams link = links_.resolve(from, to);
  if (!link.loss.never() && link.loss.draw(network_rng_)) {
    drop(from, to, message, id, DropReason::kLoss);
    return;
  }
  if (!link.duplicate.never() && link.duplicate.draw(network_rng_)) {
    ++duplicated_;
    trace_.message_duplicated(now_, from, to, P::message_type(message), id, fields_of(message));
    enqueue_copy(from, to, *link.latency, Message(message), id);
  }
  enqueue_copy(from, to, *link.latency, std::move(message), id);
}

template <class P>
void Simulation<P>::throw_no_such_node(NodeId from, NodeId to) const {
  throw std::logic_error(fmt::format("{} sent a message to node id {}, which does not exist", node_name(from), to));
}

template <class P>
void Simulation<P>::enqueue(NodeId from, NodeId to, const LatencySpec& latency, Message&& message,
                            std::uint64_t id) {
  Time arrival = now_ + sample_latency(latency, network_rng_);
  if (scenario_.network.fifo) {
    // Per-link FIFO: never arrive before an earlier message on this link.
    // Equal times keep send order because the queue breaks ties by sequence.
    Time& last = last_arrival_[(static_cast<std::uint64_t>(from) << 32) | to];
    arrival = std::max(arrival, last);
    last = arrival;
  }
  std::uint32_t slot;
  std::uint64_t bits;
  if constexpr (kPacks) {
    if (P::pack(message, bits) && PackedInFlight::fits(now_, connectivity_.version(), id))
      slot = kPackedSlot | packed_pool_.allocate(PackedInFlight::make(bits, from, connectivity_.version(), now_, id));
    else slot = pool_.allocate(std::move(message), from, connectivity_.version(), now_, id);
  } else {
    (void)bits;
    slot = pool_.allocate(std::move(message), from, connectivity_.version(), now_, id);
  }
  queue_.push(arrival, EventCode::delivery(EventKind::kDeliver, slot, to));
}

template <class P>
bool Simulation<P>::delivery_goes_on(std::uint32_t slot, NodeId to, bool from_backlog, Time sent_at,
                                     std::uint32_t cut_version, NodeId from) {
  // Arriving at a node that is down loses it, as does a crash of the
  // receiver since the send (even if it has restarted since). Until a node
  // first crashes or pauses, every one runs and none has crashed (ever_down_).
  if (ever_down_ && (records_[to].status == NodeStatus::kCrashed || crashed_since(to, sent_at))) {
    drop_in_flight(slot, to, DropReason::kCrashed);
    return false;
  }
  if (!from_backlog) {
    // A partition made while the message was in flight loses it.
    if (cut_version != connectivity_.version() && connectivity_.blocked_since(cut_version, from, to)) {
      drop_in_flight(slot, to, DropReason::kPartition);
      return false;
    }
    if (ever_down_ && records_[to].status == NodeStatus::kPaused) {
      // It reached the machine; the stalled process handles it on resume.
      backlog_[to].push_back(EventCode::delivery(EventKind::kLocalDeliver, slot, to));
      return false;
    }
  }
  return true;
}

// A full slot's message is handed to the receiver where it lies in pool_
// (its address holds while the receiver's sends fill other slots) and
// destroyed there after: no move out, no second destruction.
template <class P>
void Simulation<P>::on_deliver(std::uint32_t slot, NodeId to, bool from_backlog) {
  if constexpr (kPacks) {
    if (slot & kPackedSlot) {
      deliver_packed(slot & ~kPackedSlot, slot, to, from_backlog);
      return;
    }
  }
  ++events_;
  // Two independent loads, likely both cache misses on a big cluster: issue
  // them together so their latencies overlap.
  __builtin_prefetch(&records_[to]);
  InFlight& m = pool_.at(slot);
  if (!delivery_goes_on(slot, to, from_backlog, m.sent_at, m.cut_version, m.from)) return;
  ++delivered_;
  const NodeId from = m.from;
  const Message& message = m.message();
  trace_.message_delivered(now_, from, to, trace_.writes_messages() ? P::message_type(message) : std::string_view(),
                           m.id, fields_of(message));
  hand_input_to(to);
  records_[to].node.on_message(*host_, from, message);
  pool_.release(slot, m);
}

// `index` in packed_pool_; `slot` as the delivery event names it.
template <class P>
void Simulation<P>::deliver_packed(std::uint32_t index, std::uint32_t slot, NodeId to, bool from_backlog)
  requires kPacks
{
  ++events_;
  __builtin_prefetch(&records_[to]);
  const PackedInFlight& m = packed_pool_[index];
  if (!delivery_goes_on(slot, to, from_backlog, sent_at_of(m), cut_version_of(m), m.from)) return;
  ++delivered_;
  const NodeId from = m.from;
  const std::uint64_t id = id_of(m);
  const Message message = message_of(m);
  packed_pool_.release(index);
  trace_.message_delivered(now_, from, to, trace_.writes_messages() ? P::message_type(message) : std::string_view(),
                           id, fields_of(message));
  hand_input_to(to);
  records_[to].node.on_message(*host_, from, message);
}

}  // namespace faultline

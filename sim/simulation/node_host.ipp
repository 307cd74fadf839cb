// Simulation<P>, part of sim/simulation.hpp: the Host a node sees while the
// simulation calls it. One object serves every node: the simulation points
// it at the node it is about to call, so a million-node run does not pay for
// a million hosts.
#pragma once

namespace faultline {

template <class P>
class Simulation<P>::NodeHost final : public Host<typename P::Message, typename P::Reply> {
 public:
  explicit NodeHost(Simulation& sim) : sim_(sim) {}
  void bind(NodeId n) { self_ = n; }

  Time now() const override { return sim_.local_now(self_); }
  NodeId self() const override { return self_; }
  NodeId cluster_size() const override { return sim_.node_count(); }
  void send(NodeId to, typename P::Message message) override {
    // Persist before send, in time: what follows an outstanding sync waits for it.
    if (sim_.holds_output(self_)) sim_.hold(self_, std::pair<NodeId, typename P::Message>(to, std::move(message)));
    else sim_.send(self_, to, std::move(message));
  }
  void set_timer(TimerSlot slot, Duration after) override { sim_.set_timer(self_, slot, after); }
  void cancel_timer(TimerSlot slot) override {
    if (slot >= P::kTimerSlots) throw std::logic_error(fmt::format("timer slot {} out of range", slot));
    sim_.cancel_timer(self_, slot);
  }
  Rng& rng() override { return sim_.records_[self_].rng; }
  DurableStore& storage() override {
    if (sim_.disks_.empty()) return sim_.store(self_);
    timed_store_.bind(&sim_.store(self_), self_);
    return timed_store_;
  }
  void reply(ClientId client, typename P::Reply reply) override {
    if (sim_.holds_output(self_)) sim_.hold(self_, std::pair<ClientId, typename P::Reply>(client, std::move(reply)));
    else sim_.deliver_reply(self_, client, std::move(reply));
  }
  void emit(std::string_view kind, std::initializer_list<TraceField> fields) override {
    sim_.trace_.protocol_event(sim_.now_, self_, kind, fields);
    if (sim_.options_.observer_hears_events) [[likely]] sim_.observer_.on_protocol_event(sim_.now_, self_, kind, fields);
  }

 private:
  // The node's store when the scenario has a disk: a sync begins there and
  // completes later (Simulation::begin_sync); everything else goes straight
  // through.
  class TimedStore final : public DurableStore {
   public:
    explicit TimedStore(Simulation& sim) : sim_(sim) {}
    void bind(MemoryStore* store, NodeId n) { store_ = store, node_ = n; }
    void write(std::string_view key, std::string value) override { store_->write(key, std::move(value)); }
    void erase(std::string_view key) override { store_->erase(key); }
    void sync() override { sim_.begin_sync(node_); }
    std::optional<std::string> read(std::string_view key) const override { return store_->read(key); }
    std::optional<std::pair<std::string, std::string>> next_at_or_after(std::string_view from) const override {
      return store_->next_at_or_after(from);
    }
    void log_append(std::string_view record) override { store_->log_append(record); }
    void log_truncate(std::uint64_t end) override { store_->log_truncate(end); }
    void log_drop_before(std::uint64_t begin) override { store_->log_drop_before(begin); }
    std::uint64_t log_begin() const override { return store_->log_begin(); }
    std::uint64_t log_end() const override { return store_->log_end(); }
    std::string_view log_record(std::uint64_t position) const override { return store_->log_record(position); }

   private:
    Simulation& sim_;
    MemoryStore* store_ = nullptr;
    NodeId node_ = 0;
  };

  Simulation& sim_;
  NodeId self_ = 0;
  TimedStore timed_store_{sim_};
};

}  // namespace faultline

// The Host a node sees while the simulation calls it. One object serves every
// node: the simulation points it at the node it is about to call, so a
// million-node run does not pay for a million hosts.
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
  void send(NodeId to, typename P::Message message) override { sim_.send(self_, to, std::move(message)); }
  void set_timer(TimerSlot slot, Duration after) override { sim_.set_timer(self_, slot, after); }
  void cancel_timer(TimerSlot slot) override {
    if (slot >= P::kTimerSlots) throw std::logic_error(fmt::format("timer slot {} out of range", slot));
    sim_.cancel_timer(self_, slot);
  }
  Rng& rng() override { return sim_.records_[self_].rng; }
  DurableStore& storage() override { return sim_.store(self_); }
  void reply(ClientId client, typename P::Reply reply) override {
    if constexpr (requires { sim_.observer_.on_reply(Time{}, NodeId{}, client, reply); })
      sim_.observer_.on_reply(sim_.now_, self_, client, reply);
    if constexpr (Simulation::kHasKvClients) {
      if (sim_.workload_) sim_.workload_->on_reply(sim_.now_, reply);
    }
  }
  void emit(std::string_view kind, std::initializer_list<TraceField> fields) override {
    sim_.trace_.protocol_event(sim_.now_, self_, kind, fields);
    sim_.observer_.on_protocol_event(sim_.now_, self_, kind, fields);
  }

 private:
  Simulation& sim_;
  NodeId self_ = 0;
};

}  // namespace faultline

// A Host that records every action a protocol node takes, with time set by
// the test: drives a sans-IO state machine by hand, no simulator involved.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "protocols/host/host.hpp"
#include "sim/node/memory_store.hpp"

namespace faultline::testing {

template <class Message, class Reply = std::monostate>
class RecordingHost final : public Host<Message, Reply> {
 public:
  explicit RecordingHost(NodeId self, NodeId n) : self_(self), n_(n), rng_(7) {}
  Time now() const override { return now_; }
  NodeId self() const override { return self_; }
  NodeId cluster_size() const override { return n_; }
  void send(NodeId to, Message m) override {
    sent.push_back({to, m});
    syncs_at_send.push_back(store.syncs());
  }
  void set_timer(TimerSlot slot, Duration after) override { timers[slot] = now_ + after; }
  void cancel_timer(TimerSlot slot) override { timers.erase(slot); }
  Rng& rng() override { return rng_; }
  DurableStore& storage() override { return store; }
  void reply(ClientId client, Reply r) override { replies.push_back({client, std::move(r)}); }
  void emit(std::string_view kind, std::initializer_list<TraceField> fields) override {
    events.push_back({std::string(kind), fields.size() > 0 && !fields.begin()->is_text ? fields.begin()->number : -1});
  }

  Time now_ = 0;
  std::vector<std::pair<NodeId, Message>> sent;
  std::vector<std::uint64_t> syncs_at_send;  // the store's sync count when each message left
  std::map<TimerSlot, Time> timers;
  std::vector<std::pair<std::string, std::int64_t>> events;  // kind, first numeric field
  std::vector<std::pair<ClientId, Reply>> replies;
  MemoryStore store;

 private:
  NodeId self_, n_;
  Rng rng_;
};

}  // namespace faultline::testing

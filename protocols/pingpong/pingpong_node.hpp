// Ping-pong: each node keeps one ping in flight to a random peer; a ping is
// answered with a pong, and a pong triggers the next ping. The engine
// benchmark's message workload, and a minimal example of a protocol.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocols/host/host.hpp"
#include "protocols/host/trace_field.hpp"

namespace faultline::pingpong {

struct Params {};

struct Message {
  bool is_ping = true;
  std::uint32_t round = 0;
};

inline std::string_view message_type_name(const Message& m) { return m.is_ping ? "ping" : "pong"; }
inline std::uint32_t message_bytes(const Message&) { return 16; }
// What a trace line says about a message besides its type (docs/trace-format.md).
template <class F>
void message_fields(const Message& m, F&& field) {
  field(TraceField{"round", m.round});
}

class PingPongNode {
 public:
  using HostT = Host<Message>;
  static constexpr TimerSlot kTimerSlots = 1;

  PingPongNode(NodeId self, NodeId cluster_size, const Params&) : self_(self), cluster_size_(cluster_size) {}

  void on_start(HostT& host) { ping_random_peer(host); }
  void on_message(HostT& host, NodeId from, const Message& m) {
    if (m.is_ping) {
      host.send(from, Message{false, m.round});
    } else {
      ++pongs_;
      ping_random_peer(host);
    }
  }
  void on_timer(HostT&, TimerSlot) {}

  std::uint32_t pongs() const { return pongs_; }

 private:
  void ping_random_peer(HostT& host) {
    if (cluster_size_ < 2) return;
    auto peer = static_cast<NodeId>(host.rng().below(cluster_size_ - 1));
    if (peer >= self_) ++peer;  // uniform over the others
    host.send(peer, Message{true, pongs_});
  }
  NodeId self_;
  NodeId cluster_size_;
  std::uint32_t pongs_ = 0;
};

}  // namespace faultline::pingpong

#include "protocols/heartbeat/heartbeat_node.hpp"

#include <string>

namespace faultline::heartbeat {

namespace {
constexpr std::string_view kIncarnationKey = "incarnation";
}

HeartbeatNode::HeartbeatNode(NodeId self, NodeId cluster_size, const Params& params)
    : self_(self), params_(params), peers_(cluster_size) {}

void HeartbeatNode::on_start(HostT& host) {
  // Recover the incarnation from storage and persist the next one before any
  // heartbeat carries it: a peer must never see the same incarnation twice
  // from two different lives of this node.
  if (auto stored = host.storage().read(kIncarnationKey)) incarnation_ = std::stoull(*stored);
  ++incarnation_;
  host.storage().write(kIncarnationKey, std::to_string(incarnation_));
  if (!params_.skip_sync && params_.mutant != Mutant::kSkipSync) host.storage().sync();

  const Time now = host.now();
  for (auto& peer : peers_) peer.last_heard = now;  // a grace period of one timeout after start
  host.emit("start", {{"incarnation", incarnation_}});
  // Desynchronise nodes: the first tick comes after a random fraction of the
  // interval, from this node's own stream.
  host.set_timer(kTickTimer, host.rng().between(1, params_.interval));
}

void HeartbeatNode::on_message(HostT& host, NodeId from, const Message& message) {
  PeerState& peer = peers_[from];
  if (message.incarnation < peer.incarnation) return;  // from an earlier life, delayed: ignore
  if (message.incarnation > peer.incarnation) {
    if (peer.incarnation != 0) {
      ++restarts_noticed_;
      host.emit("restarted", {{"peer", from}, {"incarnation", message.incarnation}});
    }
    peer.incarnation = message.incarnation;
  }
  peer.last_heard = host.now();
  if (peer.suspected && params_.mutant != Mutant::kNeverTrustAgain) {
    peer.suspected = false;
    ++suspicion_changes_;
    host.emit("trust", {{"peer", from}});
  }
}

void HeartbeatNode::on_timer(HostT& host, TimerSlot slot) {
  if (slot != kTickTimer) return;
  send_heartbeats(host);
  check_timeouts(host);
  host.set_timer(kTickTimer, params_.interval);
}

void HeartbeatNode::send_heartbeats(HostT& host) {
  ++sequence_;
  for (NodeId peer = 0; peer < peers_.size(); ++peer)
    if (peer != self_) host.send(peer, Message{incarnation_, sequence_});
}

void HeartbeatNode::check_timeouts(HostT& host) {
  const Time now = host.now();
  for (NodeId id = 0; id < peers_.size(); ++id) {
    PeerState& peer = peers_[id];
    if (id == self_ || peer.suspected) continue;
    if (params_.mutant == Mutant::kSuspectOnce && peer.reported) continue;
    if (now - peer.last_heard > params_.timeout) {
      peer.suspected = true;
      peer.reported = true;
      ++suspicion_changes_;
      host.emit("suspect", {{"peer", id}, {"silent_ns", now - peer.last_heard}});
    }
  }
}

}  // namespace faultline::heartbeat

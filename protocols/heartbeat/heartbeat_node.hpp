// A heartbeat failure detector: the smallest real protocol that exercises the
// whole host interface (send, timers, its own random stream, durable storage,
// trace events).
//
// Every `interval` each node sends a heartbeat to every other node. A node
// that has heard nothing from a peer for `timeout` suspects it ("suspect"
// event); hearing from it again ends the suspicion ("trust"). Each node keeps
// an incarnation number in durable storage, incremented on every start and
// synced before the first heartbeat, so peers can tell a restarted node
// ("restarted" event) from one that was merely slow.
//
// This is an eventually perfect detector (Chandra & Toueg's diamond-P) when
// message delays are bounded by timeout - interval: every crashed node is
// eventually suspected by every live node (completeness), and a live node
// reachable within the bound is never suspected (accuracy).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocols/host/host.hpp"
#include "protocols/host/trace_field.hpp"

namespace faultline::heartbeat {

// Known bugs a test can switch on one at a time (`params.mutant=...`) to
// prove the checkers and the swarm liveness bound.
enum class Mutant : std::uint8_t {
  kNone,
  kSkipSync,          // the incarnation is written but not synced: a restart can reuse one (incarnation_monotonic)
  kNeverTrustAgain,   // once suspected, a peer stays suspected: heartbeats from it no longer end the suspicion
                      // (a detector that drops a peer for good; breaks eventual accuracy)
  kSuspectOnce,       // each peer is suspected at most once per life of the detector: the "already reported"
                      // mark is not cleared on trust, so a second failure of the same peer goes unnoticed
                      // (an alert that never re-arms; breaks completeness)
};

struct Params {
  Duration interval = 100 * kMillisecond;
  Duration timeout = 500 * kMillisecond;
  // Writes the incarnation but does not sync it: a known bug, so tests can
  // show that unsynced writes are lost on restart (the same as mutant skip_sync).
  bool skip_sync = false;
  Mutant mutant = Mutant::kNone;
};

struct Message {
  std::uint64_t incarnation = 0;  // sender's incarnation
  std::uint64_t sequence = 0;     // heartbeats sent by this incarnation
};

inline std::string_view message_type_name(const Message&) { return "heartbeat"; }
inline std::uint32_t message_bytes(const Message&) { return 24; }  // two u64s + header
// What a trace line says about a message besides its type (docs/trace-format.md).
template <class F>
void message_fields(const Message& m, F&& field) {
  field(TraceField{"incarnation", m.incarnation});
  field(TraceField{"seq", m.sequence});
}

class HeartbeatNode {
 public:
  using HostT = Host<Message>;
  static constexpr TimerSlot kTickTimer = 0;
  static constexpr TimerSlot kTimerSlots = 1;

  HeartbeatNode(NodeId self, NodeId cluster_size, const Params& params);

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& message);
  void on_timer(HostT& host, TimerSlot slot);

  // For checkers and tests: the node's state, typed.
  std::uint64_t incarnation() const { return incarnation_; }
  bool suspects(NodeId peer) const { return peers_[peer].suspected; }
  std::uint64_t heartbeats_sent() const { return sequence_; }
  // Counters for checkers, over this life of the node and modulo 2^16 (a
  // checker that looks after every input compares them with what it saw
  // last; no input flips 65,536 suspicions): how many times it began or
  // stopped suspecting a peer (when it moved, suspects() changed for some
  // peer), and how many peers it saw come back with a higher incarnation.
  std::uint16_t suspicion_changes() const { return suspicion_changes_; }
  std::uint16_t restarts_noticed() const { return restarts_noticed_; }

 private:
  struct PeerState {
    Time last_heard = 0;           // local time of the last heartbeat from it
    std::uint64_t incarnation = 0;  // highest incarnation heard from it
    bool suspected = false;
    bool reported = false;  // mutant suspect_once: suspected at least once in this life
  };
  void send_heartbeats(HostT& host);
  void check_timeouts(HostT& host);

  NodeId self_;
  // For checkers (suspicion_changes(), restarts_noticed()); never read by
  // the protocol. In the padding after self_: the record stays as small.
  std::uint16_t suspicion_changes_ = 0;
  std::uint16_t restarts_noticed_ = 0;
  Params params_;
  std::uint64_t incarnation_ = 0;
  std::uint64_t sequence_ = 0;
  std::vector<PeerState> peers_;  // indexed by node id; our own entry unused
};

}  // namespace faultline::heartbeat

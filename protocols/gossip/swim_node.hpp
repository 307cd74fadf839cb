// SWIM membership and failure detection (Das, Gupta, Motivala 2002): each
// protocol period a member pings a random member; without an ack within the
// probe timeout it asks k others to ping it (ping-req); without any ack by the
// end of the period it suspects the member. A suspect that does not refute
// (by gossiping alive with a higher incarnation) within the suspicion timeout
// is declared dead. Membership updates ride on pings and acks (infection-style
// dissemination), each retransmitted lambda * log2(n + 1) times. Members join
// through a seed, leave gracefully, and rejoin after a restart with an
// incarnation above any earlier one (kept in durable storage).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocols/gossip/swim_params.hpp"
#include "protocols/gossip/swim_view.hpp"
#include "protocols/host/host.hpp"
#include "protocols/host/trace_field.hpp"

namespace faultline::swim {

inline constexpr std::size_t kMaxPiggyback = 8;

struct Update {
  NodeId member = kNoNode;
  std::uint32_t incarnation = 0;
  MemberState state = MemberState::kAlive;
  NodeId from = kNoNode;  // a suspicion's suspecter, carried only with dynamic suspicion (4 more bytes)
};

// One change an input made to a member's membership, in the order the input
// made them (SwimNode::changes()): what the checkers read, and what a
// composite that reacts to membership (Consul's reconciler) reads, so that
// neither parses trace events.
struct ViewChange {
  enum class Cause : std::uint8_t {
    kLearned,  // this node's entry for `member` took a new state and incarnation (SWIM 4.2's merge)
    kRefuted,  // this node heard itself suspected or dead and runs at a higher incarnation now
    kJoined,   // this node joined through its seed (member: itself)
    kLeft,     // this node left gracefully (member: itself)
    kRestarted,  // this node started again after a crash, at a new incarnation (member: itself)
  };
  NodeId member = kNoNode;
  std::uint32_t incarnation = 0;  // the entry's new incarnation; the node's own for the other causes
  MemberState state = MemberState::kAlive;
  Cause cause = Cause::kLearned;
};

// What every SWIM node of a run shares (the binding's P::Shared): the
// parameters, and the record of what the input being handled changed. One
// record for the run, not one per node: in the node it was a 24-byte vector
// a node, and a heap block for every node that ever learned anything, for a
// list that is empty after nearly every input (+55 MB, 7% of the peak of a
// million-member run, measured 5 Dec 2026; docs/performance.md).
struct SwimShared {
  SwimShared(const SwimParams& p, NodeId /*cluster_size*/) : params(&p) {}
  SwimShared(const SwimShared&) = delete;
  SwimShared& operator=(const SwimShared&) = delete;

  const SwimParams* params;  // outlives the nodes
  std::vector<ViewChange> changes;  // by the input being handled, in order (SwimNode::changes())
};

struct Message {
  enum class Kind : std::uint8_t { kPing, kAck, kPingReq, kJoin, kGossip };
  Kind kind = Kind::kPing;
  std::uint32_t seq = 0;
  NodeId target = kNoNode;  // ping-req: whom to ping; ack: who answered
  NodeId origin = kNoNode;  // a ping or ack on behalf of this node (indirect probe)
  std::uint32_t sender_incarnation = 0;  // every message says its sender is alive at this incarnation
  std::uint8_t count = 0;
  std::array<Update, kMaxPiggyback> updates{};
};

std::string_view message_type_name(const Message& m);

// What a trace line says about a message besides its type, by the names in
// docs/trace-format.md ("Message fields"): calls field(TraceField) once per
// field, in a fixed order. `updates` lists the piggybacked membership
// updates as member:state:incarnation, comma-separated.
template <class F>
void message_fields(const Message& m, F&& field) {
  field(TraceField{"seq", m.seq});
  field(TraceField{"incarnation", m.sender_incarnation});
  field(TraceField{"target", node_field(m.target)});
  field(TraceField{"origin", node_field(m.origin)});
  field(TraceField{"count", m.count});
  FieldText<kMaxPiggyback * 32> updates;
  for (std::uint8_t i = 0; i < m.count; ++i) {
    if (i > 0) updates.add(",");
    updates.add(m.updates[i].member).add(":").add(state_name(m.updates[i].state)).add(":").add(m.updates[i].incarnation);
  }
  field(TraceField{"updates", updates.view()});
}

inline std::uint32_t message_bytes(const Message& m) {
  std::uint32_t bytes = 28 + 9u * m.count;
  for (std::uint8_t i = 0; i < m.count; ++i)
    if (m.updates[i].from != kNoNode) bytes += 4;
  return bytes;
}

class SwimNode {
 public:
  using HostT = Host<Message>;
  static constexpr TimerSlot kProbeTimer = 0;   // start of a protocol period
  static constexpr TimerSlot kPhaseTimer = 1;   // end of the direct, then the indirect, probe
  static constexpr TimerSlot kScriptTimer = 2;  // scripted join or leave
  static constexpr TimerSlot kGossipTimer = 3;  // the gossip channel (gossip_interval > 0)
  static constexpr TimerSlot kReconnectTimer = 4;  // a ping to a member held dead (reconnect_interval > 0)
  static constexpr TimerSlot kTimerSlots = 5;

  SwimNode(NodeId self, NodeId cluster_size, SwimShared& shared);

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT& host, TimerSlot slot);

  // For checkers and tests.
  // What the last input (on_start, on_message or on_timer) this node was
  // handed changed, in order; empty for most inputs. The record is the run's
  // (SwimShared), cleared as any node's input begins: read it right after the
  // node's input, before another node of the run is handed one.
  const std::vector<ViewChange>& changes() const { return shared_->changes; }
  MemberInfo member(NodeId m) const { return view_.get(m); }
  std::uint32_t incarnation() const { return incarnation_; }
  bool active() const { return active_; }
  std::size_t view_entries() const { return view_.deltas().size(); }
  const std::vector<MemberInfo>& view_deltas() const { return view_.deltas(); }
  std::uint32_t awareness() const { return awareness_; }
  // The suspicion timeout of member m's current suspicion (plain SWIM:
  // suspicion_periods intervals; dynamic: by its confirmations so far).
  Duration suspicion_timeout_of(NodeId m) const;
  // How many times an update is piggybacked before it is dropped (lambda * log n).
  std::uint32_t retransmit_limit() const { return retransmit_limit_; }

 private:
  enum class Phase : std::uint8_t { kIdle, kDirect, kIndirect };

  void become_active(HostT& host);
  void probe(HostT& host);
  void end_phase(HostT& host);
  void expire_suspicions(HostT& host);
  void apply(HostT& host, const Update& u);
  void enqueue(const Update& u);
  void send(HostT& host, NodeId to, Message m);
  NodeId random_member(HostT& host, NodeId avoid1, NodeId avoid2);
  NodeId round_robin_member(HostT& host);  // the next probe target in round-robin order
  void schedule_script(HostT& host, bool include_now);
  void gossip(HostT& host);
  void reconnect(HostT& host);
  Duration suspicion_timeout(std::size_t confirmations) const;
  Duration scaled(Duration d) const { return d * (awareness_ + 1); }  // Lifeguard LHM
  void adjust_awareness(int delta);
  void note_suspicion(const Update& u, bool fresh);
  bool dynamic_suspicion() const { return params().suspicion_mult > 0; }

  NodeId self_;
  NodeId n_;
  const SwimParams& params() const { return *shared_->params; }
  SwimShared* shared_;
  MembershipView view_;
  std::uint32_t incarnation_ = 0;  // invariant: never below any incarnation this node gossiped before
  bool active_ = false;            // a member now (joined, not left)
  Phase phase_ = Phase::kIdle;
  bool acked_ = false;
  // Lifeguard local health: 0 healthy. Invariant: below max(1, awareness_max) (at most 64).
  std::uint8_t awareness_ = 0;
  NodeId probe_target_ = kNoNode;
  std::uint32_t probe_seq_ = 0;
  std::uint32_t retransmit_limit_;
  std::uint32_t probe_incarnation_ = 0;  // the probe target's incarnation when the probe began
  struct Pending {
    Update update;
    std::uint32_t sent;
  };
  std::vector<Pending> gossip_;  // updates still to piggyback, fewest-sent first when chosen
  // Round-robin probe order (params.round_robin_probes, SWIM 4.3): a pass
  // visits self + stride, self + 2 stride, ... (mod n), every id once, and
  // ends back at self; stride, coprime to n, is drawn for each pass. The
  // last id visited (kNoNode before the first pass), and the pass's stride.
  // Two words, where a shuffled list as memberlist keeps would be n words
  // per member.
  NodeId order_at_ = kNoNode;
  NodeId order_stride_ = 0;
  // Dynamic suspicion: for each member we suspect, who has suspected it at
  // this incarnation (the first suspecter first). Invariant: one entry per
  // member, matching the view's suspect state and incarnation.
  struct Suspicion {
    NodeId member;
    std::uint32_t incarnation;
    std::vector<NodeId> suspecters;
  };
  std::vector<Suspicion> suspicions_;
};

}  // namespace faultline::swim

// The gossip binding's protocol struct and observer.
//
// Metrics: exact definitions in docs/metrics.md. Per key, for its latest version:
//   time_to_full_ns, time_to_99pct_ns  from injection until every (99% of) running node(s) hold(s) it
//   rounds_to_full                     push rounds from the first round that carries it (Pittel; Karp et al.)
//   periods_to_full                    periods from its injection (one more than rounds_to_full, or so)
//   rounds_to_informed_mean, rounds_to_last_informed
//                                      the round that informed a node, averaged, and the last (Demers t_ave, t_last)
//   residue                            fraction of running nodes without it at the end
// Per run: messages_per_node (every message), update_messages_per_node (those
// carrying updates: Demers' m), bytes_per_node, redundant_deliveries, removed.
// Invariants (online):
//   version_monotonic      a node's version of a key never goes backwards
//   version_was_written    no node holds a version before it was injected
//
// What it reads: each node's typed state (DisseminationNode::version), after
// every event, against the version it last saw there; an injection is a
// version learned while the node's injection timer fires (before_timer).
// Never trace events, but for the `removed` metric (a count of `removed`
// events, metrics only, as Raft's metrics are).
#pragma once

#include <vector>

#include "protocols/gossip/binding/node_versions.hpp"
#include "protocols/gossip/dissemination_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct GossipProtocol;

class GossipObserver : public ObserverBase {
 public:
  GossipObserver(const Scenario& scenario, const gossip::DisseminationParams& params, Simulation<GossipProtocol>& sim);

  // Only the `removed` metric: a count of `removed` events.
  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  // A node's timer is about to fire: if it is the injection timer, what the
  // node learns in this event it injected.
  void before_timer(Time, NodeId node, TimerSlot slot) {
    injecting_ = slot == gossip::DisseminationNode::kInjectTimer ? node : kNoNode;
  }
  // After every event, inline in the event loop (a template only so that
  // its body compiles there, where Simulation is complete): the node that
  // handled it changed no version (the common case: a delivery that
  // brought nothing new), or look() takes in what changed.
  template <class Sim = Simulation<GossipProtocol>>
  void after_event(Time t) {
    Sim& sim = sim_;
    const NodeId acting = sim.acting_node();
    if (sim.node(acting).versions_changed()) [[unlikely]] look(t, acting);
    injecting_ = kNoNode;
  }
  // On every send: inline, the common case a test and an increment. A node
  // that sends while its injection timer fires may carry the version it
  // has just injected: look() takes the injection in first, so that this
  // message counts as the first to carry it.
  void on_send(Time t, NodeId from, NodeId, const gossip::Message& m) {
    if (!gossip::carries_updates(m)) return;
    ++update_messages_;
    if (injecting_ == from) [[unlikely]] {
      look(t, from);
      injecting_ = kNoNode;  // taken in: the sends after it and after_event have nothing to add
    }
    if (awaiting_first_carry_ != 0) [[unlikely]] note_first_carry(t, m);
  }
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  void finish(Time end, Metrics& metrics);

 private:
  struct KeyState {
    std::uint32_t latest = 0;          // newest version injected so far
    Time injected_at = 0;
    Time first_carried_at = -1;        // the first message carrying `latest` left then (-1: none yet)
    double informed_rounds_sum = 0;    // over nodes informed of `latest` by gossip: the round that informed each
    std::uint64_t informed_by_gossip = 0;
    double last_informed_round = 0;
    std::uint64_t holders = 0;         // running nodes holding `latest`
    bool reached_99 = false, reached_full = false;
    NodeVersions held;                 // per node; allocated when the key is first injected
  };
  // Takes in each key whose version at `node` changed since the last look:
  // checks it and updates the metrics.
  void look(Time t, NodeId node);
  void learned(Time t, NodeId node, std::uint16_t key, std::uint32_t version, bool injected);
  void check_progress(Time t, std::uint16_t key);
  // The send time of the first message carrying each key's latest version.
  void note_first_carry(Time t, const gossip::Message& m);
  // Rounds of `period` from the first message carrying the key's latest
  // version until `t`: a node informed by the first round's push is in round 1.
  double rounds_since_first_carry(const KeyState& k, Time t) const;

  Simulation<GossipProtocol>& sim_;
  const gossip::DisseminationParams& params_;
  std::vector<KeyState> keys_;
  std::uint64_t running_;
  std::size_t injected_ = 0;
  bool stop_when_all_informed_ = false;
  std::uint64_t removed_ = 0;
  std::uint64_t update_messages_ = 0;
  // Keys whose latest version no message has carried yet (latest != 0,
  // first_carried_at < 0): on_send has nothing to look for when it is 0.
  std::uint32_t awaiting_first_carry_ = 0;
  // The node whose injection timer fires in this event (kNoNode: none).
  NodeId injecting_ = kNoNode;
  // A version a node holds that broke an invariant: reported once, though
  // the observer keeps what it saw before (the run stops after the event).
  struct Reported {
    NodeId node = kNoNode;
    std::uint16_t key = 0;
    std::uint32_t version = 0;
  } reported_;
  std::vector<double> time_to_full_, rounds_to_full_, periods_to_full_, time_to_99_;
};

struct GossipProtocol {
  using Node = gossip::DisseminationNode;
  using Message = gossip::Message;
  using Reply = std::monostate;
  using Params = gossip::DisseminationParams;
  using Observer = GossipObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return gossip::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { gossip::message_fields(m, field); }
  // One-item messages travel packed in 64 bits (see gossip::pack).
  static bool pack(const Message& m, std::uint64_t& bits) { return gossip::pack(m, bits); }
  static Message unpack(std::uint64_t bits) { return gossip::unpack(bits); }
  // Byte accounting needs the payload size, which is a parameter.
  static std::uint32_t message_bytes(const Message& m, const Params& p) { return gossip::message_bytes(m, p.value_bytes); }
  // What the nodes share for the run: the parameters and the table of where
  // each node learned each key (see DisseminationShared).
  using Shared = gossip::DisseminationShared;
  static Node make_node(NodeId, NodeId, Shared& shared) { return Node(shared); }
  // A delivery that brings nothing new (in a run without crashes or
  // pauses, where the simulation skips the receiver's status) reads the
  // node's first 28 bytes alone (see DisseminationNode's field order): the
  // simulation prefetches the line that holds them, not the record's second.
  static constexpr std::size_t kDeliveryReadsBytes = 32;
};

}  // namespace faultline

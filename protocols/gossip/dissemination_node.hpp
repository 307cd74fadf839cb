// Gossip dissemination of versioned key-value state: push, pull or push-pull
// exchanges in rounds, as anti-entropy (SI) or rumor mongering (SIR), after
// Demers et al. 1987. Every rule of the spec is an option of
// DisseminationParams.
//
// Compact by design, so a million nodes fit in a few hundred megabytes: a
// node holds at most kMaxKeys keys inline (no heap), and shares its
// parameters with every other node through a pointer.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "protocols/gossip/dissemination_params.hpp"
#include "protocols/host/host.hpp"
#include "protocols/host/trace_field.hpp"

namespace faultline::gossip {

inline constexpr std::size_t kMaxKeys = 4;

struct Item {
  std::uint16_t key = 0;
  std::uint32_t version = 0;
};

struct Message {
  enum class Kind : std::uint8_t {
    kPush,          // items: what the sender spreads
    kPullRequest,   // items: the sender's versions of every key it knows (a digest)
    kPullReply,     // items: what the replier has newer than the digest
    kPushPull,      // items: everything the sender has; the receiver answers kPullReply with what it lacks
    kAlreadyHad,    // feedback: the push brought this receiver nothing new (rumor mongering)
    kNews,          // feedback: the push was a necessary contact (rumor mongering, feedback counter only)
  };
  Kind kind = Kind::kPush;
  std::uint8_t count = 0;
  std::array<Item, kMaxKeys> items{};
};

// These three run on every send: inline, so a send does not pay three calls
// into this protocol's .cpp (about 30 instructions of a gossip send).
inline std::string_view message_type_name(const Message& m) {
  switch (m.kind) {
    case Message::Kind::kPush: return "push";
    case Message::Kind::kPullRequest: return "pull_request";
    case Message::Kind::kPullReply: return "pull_reply";
    case Message::Kind::kPushPull: return "push_pull";
    case Message::Kind::kAlreadyHad: return "already_had";
    case Message::Kind::kNews: return "news";
  }
  return "?";
}
inline std::uint32_t message_bytes(const Message& m, std::uint32_t value_bytes) {
  // A header, then per item its key and version, plus the value where the
  // message carries values.
  const bool carries_values = m.kind == Message::Kind::kPush || m.kind == Message::Kind::kPullReply ||
                              m.kind == Message::Kind::kPushPull;
  return 16 + m.count * (6 + (carries_values ? value_bytes : 0));
}
// Whether the message carries updates (key, version and value): Demers'
// traffic m counts these; digests and feedback carry none.
inline bool carries_updates(const Message& m) {
  return m.count > 0 && (m.kind == Message::Kind::kPush || m.kind == Message::Kind::kPullReply ||
                         m.kind == Message::Kind::kPushPull);
}

// What a trace line says about a message besides its type, by the names in
// docs/trace-format.md ("Message fields"): `count` items, and `items` as
// key:version, comma-separated.
template <class F>
void message_fields(const Message& m, F&& field) {
  field(TraceField{"count", m.count});
  FieldText<kMaxKeys * 24> items;
  for (std::uint8_t i = 0; i < m.count && i < kMaxKeys; ++i) {
    if (i > 0) items.add(",");
    items.add(m.items[i].key).add(":").add(m.items[i].version);
  }
  field(TraceField{"items", items.view()});
}

class DisseminationNode {
 public:
  using HostT = Host<Message>;
  static constexpr TimerSlot kRoundTimer = 0;
  static constexpr TimerSlot kInjectTimer = 1;
  static constexpr TimerSlot kTimerSlots = 2;

  DisseminationNode(const DisseminationParams& params) : params_(&params) {}

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT& host, TimerSlot slot);

  // For checkers and metrics.
  std::uint32_t version(std::uint16_t key) const { return key < kMaxKeys ? version_[key] : 0; }
  bool spreading(std::uint16_t key) const { return infective_[key] != 0; }
  std::uint32_t redundant_deliveries() const { return redundant_; }
  // Nothing this node has scheduled can change any node's state: no
  // injection to come, and nothing it spreads on its own (a push node
  // removed from every rumor, or one that has nothing). Its round timer may
  // still be armed; firing it sends nothing. Pull and push-pull nodes ask
  // every round and may learn something, so they are never quiescent, nor is
  // an anti-entropy push node that holds an update.
  bool quiescent() const;

 private:
  // Learns `version` of `key` from `from` (kNoNode: injected). Returns true
  // if it was news.
  bool learn(HostT& host, std::uint16_t key, std::uint32_t version, NodeId from);
  void round(HostT& host);
  void push(HostT& host, bool only_fresh_key, std::uint16_t fresh_key);
  NodeId pick_peer(HostT& host, NodeId avoid);
  void after_contact(HostT& host, std::uint16_t key, bool useless);
  bool has_anything() const;
  bool any_infective() const;
  void arm_round(HostT& host);
  Duration until_next_round(const HostT& host) const;
  std::uint32_t cycle(const HostT& host) const { return static_cast<std::uint32_t>(host.now() / params_->period); }
  // Whether a push of `item` that reached this node was a necessary contact:
  // it brought news (`news`), or, in synchronous rounds, this node learned
  // that version in the current cycle (it did not hold it when the cycle began).
  bool necessary_contact(const HostT& host, const Item& item, bool news) const;

  // Field order: what a delivery that brings nothing new reads (params_,
  // version_, redundant_) and what a round reads first, so that in the
  // simulation's node record they share the first cache line with the
  // engine's fields; learned_from_ and learned_cycle_, written when a node
  // learns, last.
  const DisseminationParams* params_;
  // Invariant: version_[k] only grows (newer version wins; 0 = never heard).
  std::array<std::uint32_t, kMaxKeys> version_{};
  // SIR state per key: 1 while this node spreads it (infective), 0 once
  // removed (or never learned). Anti-entropy never removes.
  std::array<std::uint8_t, kMaxKeys> infective_{};
  // Counter-based removal: unnecessary contacts since the last necessary one
  // (feedback) or rounds spread (blind). Invariant: < removal_k while infective.
  std::array<std::uint8_t, kMaxKeys> strikes_{};
  std::uint32_t redundant_ = 0;                   // deliveries that brought nothing new
  std::uint16_t next_injection_ = 0;              // index into params_->injections
  bool round_armed_ = false;
  std::array<std::uint32_t, kMaxKeys> learned_from_{kNoNode, kNoNode, kNoNode, kNoNode};
  std::array<std::uint32_t, kMaxKeys> learned_cycle_{};  // period index in which version_[k] was learned
};

}  // namespace faultline::gossip

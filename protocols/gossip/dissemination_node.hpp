// Gossip dissemination of versioned key-value state: push, pull or push-pull
// exchanges in rounds, as anti-entropy (SI) or rumor mongering (SIR), after
// Demers et al. 1987. Every rule of the spec is an option of
// DisseminationParams.
//
// Compact by design, so a million nodes fit in a few hundred megabytes: a
// node holds at most kMaxKeys keys inline (no heap), and shares its
// parameters with every other node through a pointer.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocols/gossip/dissemination_params.hpp"
#include "protocols/gossip/key_flags.hpp"
#include "protocols/gossip/pointer_in_32bit_halves.hpp"
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

// A message of at most one item in 64 bits (kind, count, the item's key
// and version), and back: the simulation keeps such a message in a 32-byte
// in-flight slot instead of a 64-byte one (every push of a one-key run).
// Items past `count` are zero in every message a node makes, and unpack
// makes them zero.
inline bool pack(const Message& m, std::uint64_t& bits) {
  if (m.count > 1) return false;
  bits = static_cast<std::uint64_t>(m.kind) | static_cast<std::uint64_t>(m.count) << 8 |
         static_cast<std::uint64_t>(m.items[0].key) << 16 | static_cast<std::uint64_t>(m.items[0].version) << 32;
  return true;
}
inline Message unpack(std::uint64_t bits) {
  Message m;
  m.kind = static_cast<Message::Kind>(bits & 0xFF);
  m.count = static_cast<std::uint8_t>(bits >> 8);
  m.items[0] = Item{static_cast<std::uint16_t>(bits >> 16), static_cast<std::uint32_t>(bits >> 32)};
  return m;
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

// What every node of a run shares: the parameters, and where each node
// learned each key's version and in which cycle. Only no_send_back (the
// sender to avoid) and synchronous_rounds (the cycle a version was learned
// in) read the latter, so it is kept here, one entry per node and filled
// only when one of them is on, rather than in the node: a million-node run
// keeps an 80-byte node record instead of 128 (docs/performance.md).
// Invariant: learned[n][k] describes the version of key k node n holds; it
// is written whenever n learns a version of k and read only for a key n
// holds (a crash leaves stale entries that are never read: the restarted
// node holds nothing until it learns again).
struct DisseminationShared {
  struct KeyOrigin {
    NodeId from = kNoNode;     // kNoNode: injected
    std::uint32_t cycle = 0;   // period index in which the version was learned
  };
  DisseminationShared(const DisseminationParams& p, NodeId cluster_size)
      : params(p),
        push_feedback(p.spread == Spread::kRumorMongering &&
                      (p.removal == Removal::kFeedbackCounter || p.removal == Removal::kFeedbackCoin)),
        learned(p.no_send_back || p.synchronous_rounds ? cluster_size : 0) {}
  DisseminationShared(const DisseminationShared&) = delete;
  DisseminationShared& operator=(const DisseminationShared&) = delete;

  const DisseminationParams params;
  // Whether a push's receiver tells the sender, per update, if the contact
  // was necessary (Demers 1.4: rumor mongering with feedback removal).
  const bool push_feedback;
  std::vector<std::array<KeyOrigin, kMaxKeys>> learned;  // per node; empty unless an option reads it
};

class DisseminationNode {
 public:
  using HostT = Host<Message>;
  static constexpr TimerSlot kRoundTimer = 0;
  static constexpr TimerSlot kInjectTimer = 1;
  static constexpr TimerSlot kTimerSlots = 2;

  explicit DisseminationNode(DisseminationShared& shared) : shared_(&shared) {}

  void on_start(HostT& host);
  // A push of one update this node already has, to a node that sends no
  // feedback (most deliveries of a push gossip run: 74,319 of 84,318 at
  // 10,000 nodes), is counted here, inline in the simulation's delivery:
  // no call, no switch. Everything else is on_message_in_full (the same
  // rule: a redundant item is counted, nothing more).
  void on_message(HostT& host, NodeId from, const Message& m) {
    infective_.set_extra(false);  // versions_changed(): a new input
    if (m.kind == Message::Kind::kPush && m.count == 1 && !shared_->push_feedback && !brings_news(m.items[0])) {
      ++redundant_;
      return;
    }
    on_message_in_full(host, from, m);
  }
  void on_timer(HostT& host, TimerSlot slot);

  // For checkers and metrics.
  std::uint32_t version(std::uint16_t key) const { return key < kMaxKeys ? version_[key] : 0; }
  // Whether the latest input (a message, a timer, the start) changed a
  // version: the observer reads version() after those inputs alone. Nearly
  // every delivery of a big push gossip run brings nothing new.
  bool versions_changed() const { return infective_.extra(); }
  bool spreading(std::uint16_t key) const { return infective_[key]; }
  std::uint32_t redundant_deliveries() const { return redundant_; }
  // Nothing this node has scheduled can change any node's state: no
  // injection to come, and nothing it spreads on its own (a push node
  // removed from every rumor, or one that has nothing). Its round timer may
  // still be armed; firing it sends nothing. Pull and push-pull nodes ask
  // every round and may learn something, so they are never quiescent, nor is
  // an anti-entropy push node that holds an update.
  bool quiescent() const;

 private:
  void on_message_in_full(HostT& host, NodeId from, const Message& m);
  // Whether `item` is newer than what this node holds (learn would take it).
  bool brings_news(const Item& item) const { return item.key < kMaxKeys && item.version > version_[item.key]; }
  // Learns `version` of `key` from `from` (kNoNode: injected). Returns true
  // if it was news.
  bool learn(HostT& host, std::uint16_t key, std::uint32_t version, NodeId from);
  void round(HostT& host);
  void push(HostT& host, bool only_fresh_key, std::uint16_t fresh_key);
  // The peers a round or push sends to: what it asks the host (cluster
  // size, self, the node's random stream) asked once for all of its fanout
  // picks, not three virtual calls per pick (about a fifth of a push
  // gossip send's instructions in the node). Each pick is one draw from the
  // node's stream, as before: the same peers in the same order.
  struct Peers {
    explicit Peers(HostT& host) : n(host.cluster_size()), self(host.self()), rng(host.rng()) {}
    // Uniform over the other nodes (independent draws); with an `avoid`,
    // uniform over the others but that one too.
    NodeId pick(NodeId avoid) const {
      if (avoid == kNoNode || avoid == self || n < 3) {
        auto p = static_cast<NodeId>(rng.below(n - 1));
        return p >= self ? p + 1 : p;
      }
      const NodeId lo = std::min(self, avoid), hi = std::max(self, avoid);
      auto p = static_cast<NodeId>(rng.below(n - 2));
      if (p >= lo) ++p;
      if (p >= hi) ++p;
      return p;
    }
    NodeId n, self;
    Rng& rng;
  };
  void after_contact(HostT& host, std::uint16_t key, bool useless);
  bool has_anything() const;
  bool any_infective() const;
  void arm_round(HostT& host);
  Duration until_next_round(const HostT& host) const;
  std::uint32_t cycle(const HostT& host) const { return static_cast<std::uint32_t>(host.now() / params().period); }
  // Whether a push of `item` that reached this node was a necessary contact:
  // it brought news (`news`), or, in synchronous rounds, this node learned
  // that version in the current cycle (it did not hold it when the cycle began).
  bool necessary_contact(const HostT& host, const Item& item, bool news) const;

  const DisseminationParams& params() const { return shared_->params; }

  // Field order: what a delivery that brings nothing new reads (shared_,
  // version_, redundant_) first, in the first 28 bytes: the simulation puts
  // the node at the start of its record. Size: 36 bytes, aligned to 4 (the
  // simulation's record is 80 bytes at a million nodes; see
  // PointerIn32BitHalves and KeyFlags).
  PointerIn32BitHalves<DisseminationShared> shared_;
  // Invariant: version_[k] only grows (newer version wins; 0 = never heard).
  std::array<std::uint32_t, kMaxKeys> version_{};
  std::uint32_t redundant_ = 0;                   // deliveries that brought nothing new
  // SIR state per key: 1 while this node spreads it (infective), 0 once
  // removed (or never learned). Anti-entropy never removes. Its extra bit:
  // versions_changed(), cleared as each input begins, set by learn (in the
  // first 32 bytes, so a redundant delivery writes no other cache line).
  KeyFlags<kMaxKeys> infective_;
  // Counter-based removal: unnecessary contacts since the last necessary one
  // (feedback) or rounds spread (blind). Invariant: < removal_k while infective.
  std::array<std::uint8_t, kMaxKeys> strikes_{};
  bool round_armed_ = false;
  std::uint16_t next_injection_ = 0;              // index into params().injections
};
static_assert(sizeof(DisseminationNode) == 36 && alignof(DisseminationNode) == 4,
              "a gossip node packs into an 80-byte simulation record (docs/performance.md)");

}  // namespace faultline::gossip

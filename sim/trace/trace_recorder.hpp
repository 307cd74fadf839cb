// Every observable event of a run passes through here: it is folded into the
// trace hash, and written to the trace file when the trace level keeps it.
// The schema of each line is in docs/trace-format.md.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "protocols/host/time.hpp"
#include "protocols/host/trace_field.hpp"
#include "sim/run/run_options.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_hash.hpp"
#include "sim/trace/trace_text.hpp"
#include "sim/trace/trace_writer.hpp"

namespace faultline {

// Why the network or the simulator did not deliver a message.
enum class DropReason : std::uint8_t {
  kLoss,       // the link's loss probability
  kPartition,  // a partition cut the link at send time or while in flight
  kCrashed,    // the receiver was down, or crashed while it was in flight
};
std::string_view drop_reason_name(DropReason reason);

class TraceRecorder;

// A message's own fields (term, ballot, ...: P::message_fields), added to its
// send, duplicate, deliver and drop lines. Written only when the level keeps
// messages: `write` is not called otherwise, so a run without a trace file
// pays two stores per message. They are not folded into the trace hash
// (docs/trace-format.md, "The trace hash").
struct MessageFields {
  const void* message = nullptr;
  void (*write)(const void* message, TraceRecorder& to) = nullptr;
};

class TraceRecorder {
 public:
  // `names` names node ids in the file (a Scenario: listed or n0, n1, ...).
  TraceRecorder(const Scenario& names, TraceLevel level);

  // Starts writing to `path` (through a temporary file, see TraceWriter).
  void open(const std::string& path, bool force) { writer_.open(path, force); }
  void commit() { writer_.commit(); }
  void abandon() { writer_.abandon(); }

  // A send, a delivery and a timer (most of a big run's events) are hashed
  // inline in the engine's path, and their lines, when kept, written out of
  // line: a call with nine arguments cost about 40 instructions per send.
  // The type is its text, or a TraceText whose words are folded without
  // reading its bytes (a protocol's message_type_text: the same hash).
  template <class Type>
  [[gnu::always_inline]] void message_sent(Time t, NodeId from, NodeId to, const Type& type,
                                           std::uint32_t bytes, std::uint64_t id, MessageFields fields) {
    ++events_;
    TraceHash h = hash_;  // in a register across the type's loads (see protocol_event)
    h.add(kSent);
    h.add(static_cast<std::uint64_t>(t));
    h.add((static_cast<std::uint64_t>(from) << 32) | to);
    if constexpr (std::is_same_v<Type, TraceText>) type.add_to(h);
    else h.add(std::string_view(type));
    h.add((static_cast<std::uint64_t>(bytes) << 40) ^ id);
    hash_ = h;
    if (keeps(TraceLevel::kMessages)) [[unlikely]] write_sent(t, from, to, text_of(type), bytes, id, fields);
  }
  void message_duplicated(Time t, NodeId from, NodeId to, std::string_view type, std::uint64_t id,
                          MessageFields fields);
  [[gnu::always_inline]] void message_delivered(Time t, NodeId from, NodeId to, std::string_view type,
                                                std::uint64_t id, MessageFields fields) {
    ++events_;
    hash_.add(kDelivered);
    hash_.add(static_cast<std::uint64_t>(t));
    hash_.add((static_cast<std::uint64_t>(from) << 32) | to);
    hash_.add(id);
    if (keeps(TraceLevel::kMessages)) [[unlikely]] write_delivered(t, from, to, type, id, fields);
  }
  void message_dropped(Time t, NodeId from, NodeId to, std::string_view type, std::uint64_t id, DropReason reason,
                       MessageFields fields);
  // Adds one field to the message line being written (for MessageFields::write).
  void append_field(const TraceField& field);
  [[gnu::always_inline]] void timer_fired(Time t, NodeId node, TimerSlot slot) {
    ++events_;
    hash_.add(kTimer);
    hash_.add(static_cast<std::uint64_t>(t));
    hash_.add((static_cast<std::uint64_t>(node) << 8) | slot);
    if (keeps(TraceLevel::kAll)) [[unlikely]] write_timer(t, node, slot);
  }
  // A fault or nemesis action; `node` is kNoNode for network-wide faults.
  void fault(Time t, std::string_view fault, NodeId node, std::initializer_list<TraceField> fields);
  // A protocol's event (NodeHost::emit, once per Raft apply) and a client
  // operation of the key-value workload (two per request) are hashed inline
  // in their caller too, each field's name as its precomputed word
  // (TraceField::key_word), the hash in a register: a copy in a local the
  // text's loads cannot alias, where the member was stored and reloaded
  // around every load of a char. Their lines, when kept, are written out of
  // line.
  [[gnu::always_inline]] void protocol_event(Time t, NodeId node, std::string_view kind,
                                             std::initializer_list<TraceField> fields) {
    ++events_;
    TraceHash h = hash_;
    h.add(kProtocol);
    h.add(static_cast<std::uint64_t>(t));
    h.add(static_cast<std::uint64_t>(node));
    h.add(kind);
    add_fields(h, fields);
    hash_ = h;
    if (keeps(TraceLevel::kProtocol)) [[unlikely]] write_event(t, node, kind, fields);
  }
  // A durable-storage event of a scenario with a `disk:` section: `sync`,
  // `synced`, `sync_lost` (level messages).
  void disk(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);

  // A broken invariant (level faults): `checker` names it, `details` says
  // how; `node` is kNoNode when it is not one node's (linearizability).
  void violation(Time t, NodeId node, std::string_view checker, std::string_view details);
  // A client operation of the key-value workload (level protocol): kind
  // `invoke` when the client issues it, `complete` when its outcome is known.
  [[gnu::always_inline]] void client_operation(Time t, std::string_view kind, std::initializer_list<TraceField> fields) {
    ++events_;
    TraceHash h = hash_;
    h.add(kClient);
    h.add(static_cast<std::uint64_t>(t));
    h.add(kind);
    add_fields(h, fields);
    hash_ = h;
    if (keeps(TraceLevel::kProtocol)) [[unlikely]] write_event(t, kNoNode, kind, fields);
  }
  // The same event given field by field, as the workload does (two per
  // request): begin_client_operation, then field() for each field in the
  // order client_operation would be given them, then finish(). It folds
  // exactly the words client_operation folds for those fields (each field
  // through add_field, the one rule both use) and writes the same line, but
  // builds no TraceField list: the fields' values go straight into the hash
  // (a list of five fields was about 280 bytes of stores and a loop testing
  // each field's kind), and a precomputed text (TraceText: the kind, an
  // operation's name, a key) folds its words without loading its bytes.
  class ClientOperation {
   public:
    [[gnu::always_inline]] void field(TraceKey key, std::uint64_t number) { add(TraceField(key, number)); }
    [[gnu::always_inline]] void field(TraceKey key, std::string_view text) { add(TraceField(key, text)); }
    [[gnu::always_inline]] void field(TraceKey key, const TraceText& text) {
      h_.add(key.word);
      text.add_to(h_);
      if (writing_) [[unlikely]] recorder_.append_field(TraceField(key, text.text()));
    }
    [[gnu::always_inline]] void finish() {
      recorder_.hash_ = h_;
      if (writing_) [[unlikely]] recorder_.end_event_line();
    }

   private:
    friend class TraceRecorder;
    ClientOperation(TraceRecorder& recorder, TraceHash h, bool writing) : recorder_(recorder), h_(h), writing_(writing) {}
    [[gnu::always_inline]] void add(const TraceField& f) {
      add_field(h_, f);
      if (writing_) [[unlikely]] recorder_.append_field(f);
    }
    TraceRecorder& recorder_;
    TraceHash h_;  // the recorder's, in a register until finish()
    bool writing_;
  };
  [[gnu::always_inline]] ClientOperation begin_client_operation(Time t, const TraceText& kind) {
    ++events_;
    TraceHash h = hash_;
    h.add(kClient);
    h.add(static_cast<std::uint64_t>(t));
    kind.add_to(h);
    const bool writing = keeps(TraceLevel::kProtocol);
    if (writing) [[unlikely]] begin_line(t, kNoNode, kind.text());
    return ClientOperation(*this, h, writing);
  }

  // Whether message lines are written (a trace file at level messages or
  // all): a delivery's type is on its line but not in the hash, so the
  // caller need not compute it otherwise.
  bool writes_messages() const { return keeps(TraceLevel::kMessages); }

  std::uint64_t hash() const { return hash_.value(); }
  std::uint64_t events() const { return events_; }

 private:
  // A message type as its text (message_sent takes either form).
  static std::string_view text_of(std::string_view type) { return type; }
  static std::string_view text_of(const TraceText& type) { return type.text(); }
  // Event codes folded into the hash; never renumber (hashes in tests and
  // bug reports would change meaning).
  enum : std::uint64_t { kSent = 1, kDuplicated, kDelivered, kDropped, kTimer, kFault, kProtocol, kDisk, kViolation, kClient };

  bool keeps(TraceLevel level) const { return writer_.is_open() && level <= level_; }
  void write_sent(Time t, NodeId from, NodeId to, std::string_view type, std::uint32_t bytes, std::uint64_t id,
                  MessageFields fields);
  void write_delivered(Time t, NodeId from, NodeId to, std::string_view type, std::uint64_t id, MessageFields fields);
  void write_timer(Time t, NodeId node, TimerSlot slot);
  void begin_line(Time t, NodeId node, std::string_view kind);
  void write_fields(std::initializer_list<TraceField> fields);
  void write_message_fields(MessageFields fields);
  // The line of a protocol event, a client operation or a disk event.
  void write_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  // Each field: its name's word, then its number or its text.
  [[gnu::always_inline]] static void add_field(TraceHash& h, const TraceField& f) {
    h.add(f.key_word);
    if (f.is_text) h.add(f.text);
    else h.add(static_cast<std::uint64_t>(f.number));
  }
  [[gnu::always_inline]] static void add_fields(TraceHash& h, std::initializer_list<TraceField> fields) {
    for (const TraceField& f : fields) add_field(h, f);
  }
  // Ends a line begun with begin_line and given its fields.
  void end_event_line();

  void append_name(NodeId node);
  const Scenario& names_;
  TraceLevel level_;
  TraceHash hash_;
  std::uint64_t events_ = 0;
  TraceWriter writer_;
};

}  // namespace faultline

// Multi-Paxos messages: phase 1 once for every slot from `first_slot` on,
// then phase 2 per command; Accept doubles as the leader's heartbeat and
// carries how far the log is chosen; Chosen brings a lagging replica up to date.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/paxos/ballot.hpp"
#include "protocols/paxos/basic_paxos_messages.hpp"  // ballot_fields

namespace faultline::paxos {

using Slot = std::uint64_t;  // 1-based

struct Command {
  bool noop = true;  // what a new leader puts in a slot nobody accepted anything for
  kv::Request request;
};

inline std::uint64_t command_digest(const Command& c) { return c.noop ? 0 : kv::digest(c.request); }

// What an acceptor holds for one slot.
struct SlotValue {
  Slot slot = 0;
  Ballot ballot;  // the ballot it was accepted in
  bool chosen = false;
  Command command;
};

struct MultiPrepare {
  Ballot ballot;
  Slot first_slot = 1;  // the candidate knows every slot below this is chosen
};

// ok: promised; `accepted` is everything held from first_slot on.
// !ok: rejected, `promised` is the ballot to beat.
struct MultiPromise {
  Ballot ballot;
  bool ok = false;
  Ballot promised;
  std::vector<SlotValue> accepted;
};

// Phase 2 for `entries` (none: a heartbeat); every slot up to commit_upto is chosen.
struct MultiAccept {
  Ballot ballot;
  std::vector<std::pair<Slot, Command>> entries;
  Slot commit_upto = 0;
};

// ok: accepted the entries; !ok: rejected, `promised` is higher.
// commit_upto: how far the acceptor knows the log is chosen.
struct MultiAccepted {
  Ballot ballot;
  bool ok = false;
  Ballot promised;
  std::vector<Slot> slots;
  Slot commit_upto = 0;
};

// Chosen values for a replica that is behind.
struct MultiChosen {
  Ballot ballot;
  std::vector<std::pair<Slot, Command>> entries;
};

using MultiMessage = std::variant<MultiPrepare, MultiPromise, MultiAccept, MultiAccepted, MultiChosen>;

inline std::string_view message_type_name(const MultiMessage& m) {
  switch (m.index()) {
    case 0: return "prepare";
    case 1: return "promise";
    case 2: return std::get<MultiAccept>(m).entries.empty() ? "heartbeat" : "accept";
    case 3: return "accepted";
    default: return "chosen";
  }
}

inline std::uint32_t command_bytes(const Command& c) {
  return 24 + static_cast<std::uint32_t>(c.request.key.size() + c.request.value.size() + c.request.expected.size());
}

inline std::uint32_t message_bytes(const MultiMessage& m) {
  std::uint32_t bytes = 40;
  if (const auto* p = std::get_if<MultiPromise>(&m))
    for (const auto& v : p->accepted) bytes += 16 + command_bytes(v.command);
  if (const auto* a = std::get_if<MultiAccept>(&m))
    for (const auto& e : a->entries) bytes += 8 + command_bytes(e.second);
  if (const auto* a = std::get_if<MultiAccepted>(&m)) bytes += 8 * static_cast<std::uint32_t>(a->slots.size());
  if (const auto* c = std::get_if<MultiChosen>(&m))
    for (const auto& e : c->entries) bytes += 8 + command_bytes(e.second);
  return bytes;
}

// What a trace line says about a message besides its type, by the names in
// docs/trace-format.md ("Message fields"): calls field(TraceField) once per
// field, in a fixed order. `slot` and `digest` name the first entry of a
// message that carries several (`count`).
template <class F>
void message_fields(const MultiMessage& m, F&& field) {
  if (const auto* p = std::get_if<MultiPrepare>(&m)) {
    ballot_fields(p->ballot, field);
    field(TraceField{"first_slot", p->first_slot});
  } else if (const auto* r = std::get_if<MultiPromise>(&m)) {
    ballot_fields(r->ballot, field);
    field(TraceField{"ok", r->ok ? 1 : 0});
    field(TraceField{"promised", r->promised.round});
    field(TraceField{"count", static_cast<std::uint64_t>(r->accepted.size())});
  } else if (const auto* a = std::get_if<MultiAccept>(&m)) {
    ballot_fields(a->ballot, field);
    field(TraceField{"count", static_cast<std::uint64_t>(a->entries.size())});
    if (!a->entries.empty()) {
      field(TraceField{"slot", a->entries.front().first});
      field(TraceField{"digest", command_digest(a->entries.front().second)});
    }
    field(TraceField{"commit", a->commit_upto});
  } else if (const auto* r = std::get_if<MultiAccepted>(&m)) {
    ballot_fields(r->ballot, field);
    field(TraceField{"ok", r->ok ? 1 : 0});
    field(TraceField{"promised", r->promised.round});
    field(TraceField{"count", static_cast<std::uint64_t>(r->slots.size())});
    if (!r->slots.empty()) field(TraceField{"slot", r->slots.front()});
    field(TraceField{"commit", r->commit_upto});
  } else {
    const auto& c = std::get<MultiChosen>(m);
    ballot_fields(c.ballot, field);
    field(TraceField{"count", static_cast<std::uint64_t>(c.entries.size())});
    if (!c.entries.empty()) {
      field(TraceField{"slot", c.entries.front().first});
      field(TraceField{"digest", command_digest(c.entries.front().second)});
    }
  }
}

}  // namespace faultline::paxos

// Single-decree Paxos messages: the two phases of ../shared/SPEC.md's table
// (Prepare / Promise, Accept / Accepted), and Decided for the learners.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "protocols/host/trace_field.hpp"
#include "protocols/paxos/ballot.hpp"

namespace faultline::paxos {

using Value = std::uint64_t;  // 0: none

struct Prepare {
  Ballot n;
};

// Phase 1 reply. ok: n was above minProposal, which is now n; the acceptor
// reports what it accepted so far. !ok: a rejection carrying minProposal.
struct Promise {
  Ballot n;
  bool ok = false;
  Ballot min_proposal;
  Ballot accepted_proposal;
  Value accepted_value = 0;
};

struct Accept {
  Ballot n;
  Value value = 0;
};

// Phase 2 reply: the acceptor's minProposal; above n means rejected.
struct Accepted {
  Ballot n;
  Ballot min_proposal;
};

struct Decided {
  Value value = 0;
};

using BasicMessage = std::variant<Prepare, Promise, Accept, Accepted, Decided>;

inline std::string_view message_type_name(const BasicMessage& m) {
  constexpr std::string_view names[] = {"prepare", "promise", "accept", "accepted", "decided"};
  return names[m.index()];
}

inline std::uint32_t message_bytes(const BasicMessage& m) {
  return m.index() == 1 ? 48 : 32;
}

// A ballot as two trace fields: `ballot` (its round) and `ballot_node`
// (the proposer that owns it; -1 for none).
template <class F>
void ballot_fields(const Ballot& b, F&& field) {
  field(TraceField{"ballot", b.round});
  field(TraceField{"ballot_node", node_field(b.node)});
}

// What a trace line says about a message besides its type, by the names in
// docs/trace-format.md ("Message fields"): calls field(TraceField) once per
// field, in a fixed order.
template <class F>
void message_fields(const BasicMessage& m, F&& field) {
  if (const auto* p = std::get_if<Prepare>(&m)) {
    ballot_fields(p->n, field);
  } else if (const auto* r = std::get_if<Promise>(&m)) {
    ballot_fields(r->n, field);
    field(TraceField{"ok", r->ok ? 1 : 0});
    field(TraceField{"promised", r->min_proposal.round});
    field(TraceField{"accepted_ballot", r->accepted_proposal.round});
    field(TraceField{"value", r->accepted_value});
  } else if (const auto* a = std::get_if<Accept>(&m)) {
    ballot_fields(a->n, field);
    field(TraceField{"value", a->value});
  } else if (const auto* r = std::get_if<Accepted>(&m)) {
    ballot_fields(r->n, field);
    field(TraceField{"ok", r->min_proposal > r->n ? 0 : 1});  // the table: a reply above n is a rejection
    field(TraceField{"promised", r->min_proposal.round});
  } else {
    field(TraceField{"value", std::get<Decided>(m).value});
  }
}

}  // namespace faultline::paxos

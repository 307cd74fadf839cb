// Single-decree Paxos messages: the two phases of ../shared/SPEC.md's table
// (Prepare / Promise, Accept / Accepted), and Decided for the learners.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

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

}  // namespace faultline::paxos

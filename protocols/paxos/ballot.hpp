// A proposal number ("ballot"): unique per proposer because it carries the
// proposer's id, and ordered so a proposer can always pick a higher one
// (Lamport, "Paxos Made Simple", section 2.2: "different proposals have
// different numbers").
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "protocols/host/time.hpp"

namespace faultline::paxos {

struct Ballot {
  std::uint64_t round = 0;  // 0 with node kNoNode: "no ballot yet"
  NodeId node = kNoNode;

  auto operator<=>(const Ballot&) const = default;
  bool is_set() const { return round != 0; }
  // The smallest ballot of `proposer` above `seen`.
  static Ballot above(const Ballot& seen, NodeId proposer) { return Ballot{seen.round + 1, proposer}; }
  std::string text() const { return std::to_string(round) + "." + std::to_string(node); }
};

// Ballots compare by round, then by node; kNoNode is the largest NodeId, so
// an unset ballot (round 0) must still sort below every real one.
static_assert(Ballot{0, kNoNode} < Ballot{1, 0});

inline std::string encode(const Ballot& b) { return std::to_string(b.round) + ":" + std::to_string(b.node); }

inline Ballot decode_ballot(const std::string& text) {
  const auto colon = text.find(':');
  return Ballot{std::stoull(text.substr(0, colon)), static_cast<NodeId>(std::stoul(text.substr(colon + 1)))};
}

}  // namespace faultline::paxos

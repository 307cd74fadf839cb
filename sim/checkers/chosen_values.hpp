// Paxos's safety, checked from what acceptors actually accepted rather than
// from what any proposer believes: a value is chosen in a slot when a
// majority of acceptors accepted it in the same ballot (Lamport, "Paxos Made
// Simple", 2.1). Checked online:
//
//   agreement   at most one value is ever chosen per slot, across crashes and
//               restarts; and once v is chosen at ballot b, no acceptor
//               accepts another value at a ballot above b (P2c: "every
//               higher-numbered proposal has value v")
//   one_value_per_ballot
//               a ballot carries one value per slot (one proposer per ballot)
//
// Acceptor sets are bitmasks, so clusters have at most 64 nodes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocols/paxos/ballot.hpp"

namespace faultline {

struct SafetyViolation {
  std::string invariant;
  std::string message;
};

class ChosenValues {
 public:
  explicit ChosenValues(NodeId cluster_size) : majority_(cluster_size / 2 + 1) {}

  // `acceptor` accepted `digest` in `slot` at `ballot`.
  std::optional<SafetyViolation> accepted(std::uint64_t slot, const paxos::Ballot& ballot, NodeId acceptor,
                                          std::uint64_t digest);
  // The digest chosen in `slot`, once a majority accepted it.
  std::optional<std::uint64_t> chosen(std::uint64_t slot) const;
  // The ballot `slot` was first chosen in, and the acceptors (a bitmask)
  // whose acceptances in that ballot chose it. Requires chosen(slot).
  const paxos::Ballot& chosen_ballot(std::uint64_t slot) const { return slots_[slot].ballot; }
  std::uint64_t chosen_by(std::uint64_t slot) const { return slots_[slot].acceptors; }
  std::uint64_t chosen_slots() const { return chosen_count_; }

 private:
  struct Votes {
    std::uint64_t digest = 0;
    std::uint64_t acceptors = 0;  // bitmask
  };
  struct Slot {
    bool chosen = false;
    std::uint64_t digest = 0;
    paxos::Ballot ballot;  // the ballot it was first chosen in
    std::uint64_t acceptors = 0;  // bitmask: the majority that chose it in that ballot
  };
  Slot& slot_at(std::uint64_t slot);

  NodeId majority_;
  std::vector<Slot> slots_;  // index = slot number
  // Per slot and ballot, who accepted what; dropped once the slot is chosen,
  // except for votes for a different value (which must never win).
  std::map<std::uint64_t, std::map<paxos::Ballot, Votes>> votes_;
  std::uint64_t chosen_count_ = 0;
};

}  // namespace faultline

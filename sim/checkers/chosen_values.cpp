#include "sim/checkers/chosen_values.hpp"

#include <bit>

#include <fmt/format.h>

namespace faultline {

ChosenValues::Slot& ChosenValues::slot_at(std::uint64_t slot) {
  if (slots_.size() <= slot) slots_.resize(slot + 1);
  return slots_[slot];
}

std::optional<std::uint64_t> ChosenValues::chosen(std::uint64_t slot) const {
  if (slot >= slots_.size() || !slots_[slot].chosen) return std::nullopt;
  return slots_[slot].digest;
}

std::optional<SafetyViolation> ChosenValues::accepted(std::uint64_t slot, const paxos::Ballot& ballot,
                                                      NodeId acceptor, std::uint64_t digest) {
  Slot& s = slot_at(slot);
  if (s.chosen && digest == s.digest) return std::nullopt;  // agrees with what is settled
  if (s.chosen && ballot > s.ballot)
    return SafetyViolation{"agreement",
                           fmt::format("slot {}: value {:x} was chosen in ballot {}, yet an acceptor accepted {:x} in "
                                       "the higher ballot {} (P2c: every higher ballot must carry the chosen value)",
                                       slot, s.digest, s.ballot.text(), digest, ballot.text())};
  Votes& v = votes_[slot][ballot];
  if (v.acceptors != 0 && v.digest != digest)
    return SafetyViolation{"one_value_per_ballot",
                           fmt::format("slot {}: ballot {} carries two values, {:x} and {:x}", slot, ballot.text(),
                                       v.digest, digest)};
  v.digest = digest;
  v.acceptors |= std::uint64_t{1} << acceptor;
  if (static_cast<NodeId>(std::popcount(v.acceptors)) < majority_) return std::nullopt;
  if (s.chosen)
    return SafetyViolation{"agreement", fmt::format("slot {}: {:x} was chosen in ballot {}, and now {:x} is chosen "
                                                    "in ballot {} too",
                                                    slot, s.digest, s.ballot.text(), digest, ballot.text())};
  s = Slot{true, digest, ballot, v.acceptors};
  ++chosen_count_;
  votes_.erase(slot);
  return std::nullopt;
}

}  // namespace faultline

#include "protocols/paxos/binding/chosen_kept.hpp"

#include <fmt/format.h>

namespace faultline {

void ChosenKept::must_keep(NodeId acceptor, paxos::Slot slot, std::uint64_t digest) {
  if (kept_[acceptor].emplace(slot, digest).second) unsettled_[acceptor].emplace_back(slot, digest);
}

std::optional<SafetyViolation> ChosenKept::check_slot(paxos::Slot slot, std::uint64_t digest,
                                                      const std::vector<paxos::SlotValue>& log) const {
  if (slot <= log.size()) {
    const paxos::SlotValue& v = log[slot - 1];
    const bool holds_a_value = v.ballot.is_set() || v.chosen;
    if (holds_a_value && paxos::command_digest(v.command) == digest) return std::nullopt;
    if (holds_a_value)
      return SafetyViolation{"chosen_value_kept",
                             fmt::format("accepted {:x}, the value chosen in slot {}, and now holds {:x} there "
                                         "(ballot {})",
                                         digest, slot, paxos::command_digest(v.command), v.ballot.text())};
  }
  return SafetyViolation{"chosen_value_kept",
                         fmt::format("accepted {:x}, the value chosen in slot {}, and now holds nothing there{}", digest,
                                     slot, slot > log.size() ? fmt::format(" (its log ends at slot {})", log.size()) : "")};
}

std::optional<SafetyViolation> ChosenKept::check_recent(NodeId acceptor, const std::vector<paxos::SlotValue>& log) {
  const auto& kept = kept_[acceptor];
  if (!kept.empty() && kept.rbegin()->first > log.size())
    return check_slot(kept.rbegin()->first, kept.rbegin()->second, log);
  auto& unsettled = unsettled_[acceptor];
  std::size_t still = 0;
  for (const auto& [slot, digest] : unsettled) {
    if (auto v = check_slot(slot, digest, log)) return v;
    if (!log[slot - 1].chosen) unsettled[still++] = {slot, digest};
  }
  unsettled.resize(still);
  return std::nullopt;
}

std::optional<SafetyViolation> ChosenKept::check_all(NodeId acceptor, const std::vector<paxos::SlotValue>& log) {
  auto& unsettled = unsettled_[acceptor];
  unsettled.clear();
  for (const auto& [slot, digest] : kept_[acceptor]) {
    if (auto v = check_slot(slot, digest, log)) return v;
    if (!log[slot - 1].chosen) unsettled.emplace_back(slot, digest);
  }
  return std::nullopt;
}

}  // namespace faultline

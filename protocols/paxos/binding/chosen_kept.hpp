// Chosen values that cannot vanish (Multi-Paxos): an acceptor that accepted
// a slot's chosen value in the ballot that chose it, or in any later ballot,
// holds that value in that slot for ever after. Paxos's safety rests on it:
// a later proposer learns the chosen value only from the acceptors of its
// phase-1 majority, and some of them are among those that chose it (Lamport,
// "Paxos Made Simple", 2.2, P2c).
//
//   chosen_value_kept   such an acceptor still holds the value: through every
//                       message it handles and every restart (it recovers
//                       what it synced, and it syncs before it answers)
//
// Only acceptances at or above the choosing ballot bind: an acceptor that
// accepted v in an earlier ballot may correctly accept another value in a
// ballot between that one and the choosing one (a proposer whose phase 1
// missed v), even after v is chosen elsewhere.
//
// Multi-Paxos here never compacts its log, so a slot an acceptor held is in
// its log for good. The checker reads each acceptor's log (typed state):
// after every event it handled, the slots it must keep but has not yet
// learned are chosen (where a correct acceptor can still be asked to accept)
// and its log's length; every slot it must keep, after each of its restarts
// and at the end.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "protocols/paxos/multi_paxos_messages.hpp"
#include "sim/checkers/chosen_values.hpp"

namespace faultline {

class ChosenKept {
 public:
  explicit ChosenKept(NodeId cluster_size) : kept_(cluster_size), unsettled_(cluster_size) {}

  // `acceptor` accepted `digest`, the value chosen in `slot`, in the
  // choosing ballot or a later one: from now on it must hold it.
  void must_keep(NodeId acceptor, paxos::Slot slot, std::uint64_t digest);
  // After an event that may have changed `acceptor`'s log (`log[s - 1]` is
  // slot s): its log's length, and the slots it must keep but has not marked
  // chosen. The message names the slot and what the acceptor holds there,
  // for the caller to prefix with its name.
  std::optional<SafetyViolation> check_recent(NodeId acceptor, const std::vector<paxos::SlotValue>& log);
  // Every slot `acceptor` must keep (after a restart; at the end).
  std::optional<SafetyViolation> check_all(NodeId acceptor, const std::vector<paxos::SlotValue>& log);

  std::size_t kept(NodeId acceptor) const { return kept_[acceptor].size(); }

 private:
  std::optional<SafetyViolation> check_slot(paxos::Slot slot, std::uint64_t digest,
                                            const std::vector<paxos::SlotValue>& log) const;

  std::vector<std::map<paxos::Slot, std::uint64_t>> kept_;  // per acceptor: slot -> the chosen digest
  // Per acceptor: the (slot, digest) pairs of kept_ its log did not mark
  // chosen when last looked at (a correct acceptor never changes a slot it
  // marked chosen). Looked at after every event, so a flat vector.
  std::vector<std::vector<std::pair<paxos::Slot, std::uint64_t>>> unsettled_;
};

}  // namespace faultline

// Linearizability of a key-value history (Herlihy & Wing 1990), checked by
// the Wing & Gong search with the memoization of Lowe / Porcupine, one key at
// a time (a history is linearizable iff each key's sub-history is: P-
// compositionality, Horn & Kroening 2015). Operations that never got an
// answer (timed out: their effect is unknown) are optional moves, tried only
// where the answered ones are stuck, with a subsumption that keeps them from
// doubling the search each (linearizability.cpp, linearizability_seen.hpp):
// a Raft swarm history with 170 of them over three keys (seed 17) is decided
// in about 11,000 steps instead of running out of a 20-million-step budget.
//
// A key's history is checked window by window, between moments when no
// operation on it is in flight: the answered operations in invocation order
// where that order is legal, a search only where it is not (and from further
// back when a window has no witness from where the one before left the
// register). A long history is decided in about one step per operation.
//
// The search is bounded by a step budget, so it always finishes: the verdict
// is linearizable, not linearizable (with a witness), or unknown (the budget
// ran out). A witness is the smallest failing sub-history found: the shortest
// prefix (in invocation order) that is not linearizable, then with every read
// and failed compare-and-set removed that is not needed for the failure
// (removing them only removes constraints, so what remains still fails for the
// same reason).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/checkers/kv_client_history.hpp"
#include "sim/checkers/kv_history.hpp"

namespace faultline {

struct LinearizabilityResult {
  enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };
  Verdict verdict = Verdict::kLinearizable;
  std::string key;                  // the first failing (or undecided) key
  std::vector<KvOperation> witness;  // the smallest failing sub-history found
  // Search steps over all keys: moves tried (a new state computed) and
  // undone, and answered operations passed over; not the unanswered ones the
  // search's rules pass over without computing anything. Each answered
  // operation the first path takes is a step, and a window searched again
  // from further back counts its steps again.
  std::uint64_t steps = 0;
  // The most operations one search was given (0: every key's answered
  // operations linearized in invocation order, no search needed). A key's
  // history is searched only in the windows between its quiet moments
  // where that order fails (linearizability.cpp, check_in_windows), so in a
  // long history with such moments this stays a few operations.
  std::size_t longest_search = 0;

  bool ok() const { return verdict != Verdict::kNotLinearizable; }
};

LinearizabilityResult check_linearizability(const KvHistory& history, std::uint64_t step_budget = 20'000'000);
// The same over the workload's recorded history (keys in name order too),
// one key at a time in the wide form.
LinearizabilityResult check_linearizability(const KvClientHistory& history, std::uint64_t step_budget = 20'000'000);

// The witness made of one key's failing operations `ops` (as above: the
// shortest failing prefix, then without the reads and failed
// compare-and-sets it does not need: the reads that trying each alone,
// from the last to the first, would drop, in about log2 of their number
// checks per read kept). Each check gets `budget_per_try` steps, and one
// that runs out counts as passing: then the reads kept may differ from
// that one-at-a-time pass's (docs/performance.md, sixteenth session).
// `checks`, if given, is set to how many were made.
std::vector<KvOperation> minimize_witness(const std::vector<KvOperation>& ops, std::uint64_t budget_per_try,
                                          std::size_t* checks = nullptr);

// "client 3 put(x, "a") [1.2ms, 3.4ms]", for reports.
std::string describe(const KvOperation& op);

}  // namespace faultline

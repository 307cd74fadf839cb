// The replicated log, in memory and in durable storage.
//
// Invariants (paper Figure 3): indexes start at 1 and are contiguous; terms
// never decrease along the log. Log Matching holds across nodes because an
// entry is only appended after the consistency check on its predecessor.
// Every change is written to storage; the caller decides when to sync (a
// follower before acknowledging, section 5.3 and Figure 2's "persist before
// responding").
#pragma once

#include <vector>

#include "protocols/host/durable_store.hpp"
#include "protocols/raft/raft_messages.hpp"

namespace faultline::raft {

class RaftLog {
 public:
  Index last_index() const { return entries_.size(); }
  Term last_term() const { return entries_.empty() ? 0 : entries_.back().term; }
  // 0 for index 0 (before the log) and for indexes past the end.
  Term term_at(Index i) const { return i == 0 || i > entries_.size() ? 0 : entries_[i - 1].term; }
  const Entry& at(Index i) const { return entries_[i - 1]; }
  // The first index holding `term` (for the conflict hint), or 0.
  Index first_index_of(Term term) const;
  // The last index holding `term`, or 0.
  Index last_index_of(Term term) const;

  void append(DurableStore& store, Entry e);
  // Drops every entry from `from` on (a conflicting suffix, section 5.3).
  void truncate_from(DurableStore& store, Index from);
  std::vector<Entry> slice(Index from, std::size_t max) const;

  // Reads back what was synced (on restart).
  void load(const DurableStore& store);

 private:
  std::vector<Entry> entries_;
};

}  // namespace faultline::raft

// The replicated log, in memory and in durable storage, with a compacted
// prefix (thesis chapter 5): entries up to base_index() live only in the
// snapshot.
//
// In storage: entry i is record i - 1 of the store's record log; the
// snapshot's index and term are the key "raft/log_base".
//
// Invariants (paper Figure 3): indexes start at 1 and are contiguous; terms
// never decrease along the log. Log Matching holds across nodes because an
// entry is only appended after the consistency check on its predecessor.
// Only applied (hence committed) entries are ever compacted, so every
// compacted prefix is a prefix of every leader's log. Every change is written
// to storage; the caller decides when to sync (a follower before
// acknowledging, section 5.3 and Figure 2's "persist before responding").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocols/host/durable_store.hpp"
#include "protocols/raft/raft_messages.hpp"

namespace faultline::raft {

// The commands a run's logs were given, by log index, for the logs of the
// run's servers to share: a restarted server's reload takes, for a record
// whose command bytes are exactly those of the command noted at its index,
// that command instead of decoding the bytes again (a server's log reload
// is thousands of decodes, two allocations each).
//
// The reload stays honest: every record is still read from the store, its
// term and kind parsed from its bytes, and a command taken only when the
// whole record is byte for byte the one it was noted with (Command::record():
// the term's digits, then kv::encode(request), which kv::decode reverses
// exactly), so the entry loaded is the one decoding would give; anything
// else (another command or term at that index, bytes the store changed, a
// slot reused for a later index) is decoded as before.
//
// Direct-mapped by index (slot index mod the slot count, a power of two
// that grows with the indexes noted up to kMaxSlots), so it holds at most
// kMaxSlots commands alive and a lookup is one slot. One run's, on one
// thread, as CommandRef requires.
class DecodedCommands {
 public:
  static constexpr std::size_t kMaxSlots = std::size_t{1} << 14;

  // Notes `command` as the one at `index`, unless its slot holds a later
  // index (what the slot held is dropped).
  void note(Index index, const CommandRef<Command>& command) {
    // Inline, the common case: every server of the run notes the same
    // command at the same index, and all but the first find it there.
    if (!slots_.empty()) {  // (an index noted before has had its slot made: note_slow would change nothing)
      const Slot& s = slots_[index & (slots_.size() - 1)];
      if (s.index == index && s.command.get() == command.get()) return;
    }
    note_slow(index, command);
  }
  // The command noted at `index` whose record is exactly `record`, or null.
  const CommandRef<Command>* find(Index index, std::string_view record) const;

 private:
  void grow(Index index);
  void note_slow(Index index, const CommandRef<Command>& command);

  struct Slot {
    Index index = 0;  // 0: empty (log indexes start at 1)
    CommandRef<Command> command;
  };
  std::vector<Slot> slots_;  // index i in slots_[i & (size - 1)]
};

class RaftLog {
 public:
  // With `decoded`, appends note their commands there and load() takes
  // the noted ones whose bytes match (see DecodedCommands); it must outlive
  // this log.
  explicit RaftLog(DecodedCommands* decoded = nullptr) : decoded_(decoded) {}

  // The last index in the snapshot (0: nothing compacted) and its term.
  Index base_index() const { return base_index_; }
  Term base_term() const { return base_term_; }
  Index last_index() const { return base_index_ + entries_.size(); }
  Term last_term() const { return entries_.empty() ? base_term_ : entries_.back().term; }
  // The term at i: base_term() at base_index(); 0 for index 0, for indexes
  // past the end, and for compacted indexes below the base (unknown).
  Term term_at(Index i) const {
    if (i == base_index_) return base_term_;
    return i < base_index_ || i > last_index() ? 0 : entries_[i - base_index_ - 1].term;
  }
  // Requires base_index() < i <= last_index().
  const Entry& at(Index i) const { return entries_[i - base_index_ - 1]; }
  // The first retained index holding `term` (for the conflict hint), or 0.
  Index first_index_of(Term term) const;
  // The last retained index holding `term`, or 0.
  Index last_index_of(Term term) const;

  void append(DurableStore& store, Entry&& e);
  // A copy of `e` (a follower's entry from an AppendEntries), made in place.
  void append(DurableStore& store, const Entry& e);
  // Drops every entry from `from` on (a conflicting suffix, section 5.3).
  // Requires from > base_index().
  void truncate_from(DurableStore& store, Index from);
  // Up to `max` entries from `from` on (from the base's successor, for a
  // `from` at or below the base).
  EntryList slice(Index from, std::size_t max) const;

  // Compacts every entry up to `index` (which holds `term`) into the
  // snapshot the caller stores; entries after it stay. With index beyond
  // the log, the whole log goes (a snapshot from the leader).
  void compact_through(DurableStore& store, Index index, Term term);

  // How many times an entry held was removed (truncate_from) or compacted
  // (compact_through) since this log was made: an append never changes it,
  // so while it stays the same every entry read before is still there.
  std::uint64_t rewrites() const { return rewrites_; }

  // Reads back what was synced (on restart).
  void load(const DurableStore& store);

 private:
  // The entry just pushed at the end written to `store` and noted in decoded_.
  void stored_and_noted(DurableStore& store);

  Index base_index_ = 0;
  Term base_term_ = 0;
  std::vector<Entry> entries_;  // entries_[k] is index base_index_ + 1 + k
  std::string scratch_;         // where a record without its command's (a no-op's) is encoded before it is appended, reused; only grows
  std::uint64_t rewrites_ = 0;  // see rewrites()
  DecodedCommands* decoded_ = nullptr;  // see the constructor
};

}  // namespace faultline::raft

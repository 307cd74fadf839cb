// The simulator's record log (DurableStore's log_* half): records packed end
// to end in one byte buffer, so an append costs a copy and no allocation,
// and dropping a compacted prefix costs nothing until the next sync.
//
// Crash model, as for keys: an undo journal of the changes since the last
// sync. A crash rolls it back, so unsynced appends, truncations and prefix
// drops are lost and synced ones survive. A sync that takes time (a disk
// with latency) marks the journal where it began and commits that prefix
// when it completes (mark / commit_through); a crash before then loses it.
//
// Invariants: bytes_ holds the records at positions first_ .. end-1, record
// k (position first_ + k) being bytes_[ends_[k-1] .. ends_[k]) (from 0 for
// k = 0); first_ <= begin_ <= end; records below begin_ are dropped but not
// yet reclaimed (only a sync reclaims, when no journal entry can need them);
// sealed_ <= undo_.size(), and no change is merged into an entry below
// sealed_ (it belongs to a sync already under way).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

class MemoryRecordLog {
 public:
  void append(std::string_view record);
  void truncate(std::uint64_t end);
  void drop_before(std::uint64_t begin);
  std::uint64_t begin() const { return begin_; }
  std::uint64_t end() const { return first_ + ends_.size(); }
  std::string_view record(std::uint64_t position) const;

  // Inline, as MemoryStore::sync's part: a sync follows nearly every
  // append, and a reclaim is rarely due.
  void sync() {
    undo_.clear();
    saved_.clear();
    sealed_ = 0;
    if (reclaim_due()) reclaim_dropped_prefix();
  }
  // A sync begins: returns the journal length it will make durable.
  std::size_t mark();
  // The sync that began at mark() == `marked` completed: the first `marked`
  // journal entries are durable (the caller shifts later marks down by
  // `marked`).
  void commit_through(std::size_t marked);
  void crash();
  std::size_t unsynced() const { return undo_.size(); }

 private:
  std::uint64_t offset_of(std::size_t k) const { return k == 0 ? 0 : ends_[k - 1]; }
  // Whether reclaim_dropped_prefix() would move anything: the dropped
  // records are at least 64 and at least half of those held.
  bool reclaim_due() const {
    const std::size_t dropped = begin_ - first_;
    return dropped >= 64 && dropped >= ends_.size() / 2;
  }
  void reclaim_dropped_prefix();
  static constexpr std::size_t kFirstReserve = std::size_t{1} << 16;  // bytes_'s first capacity (see append)

  // One journal entry, a few plain numbers: an append (the common one, and
  // after a sync nearly every append starts an entry) writes no strings and
  // a sync's clear destroys none. What a truncation or a reset removed
  // waits in saved_.
  struct Undo {
    enum class Kind : std::uint8_t { kAppends, kTruncate, kDropBefore, kReset } kind = Kind::kAppends;
    std::uint64_t count = 0;             // kAppends: how many; kDropBefore: the old begin_
    std::uint64_t first = 0, begin = 0;  // kReset: the old first_ and begin_
  };
  struct Saved {
    std::string bytes;                // kTruncate: the records cut off; kReset: the old buffer
    std::vector<std::uint64_t> ends;  // their ends_ (kReset: the old ends_)
  };
  // The Saved of the journal's kTruncate and kReset entries, in journal order.
  std::size_t saved_before(std::size_t undo_entries) const;
  std::string bytes_;
  std::vector<std::uint64_t> ends_;
  std::uint64_t first_ = 0;
  std::uint64_t begin_ = 0;
  std::vector<Undo> undo_;
  std::vector<Saved> saved_;  // one per kTruncate or kReset entry of undo_, in the same order
  std::size_t sealed_ = 0;
};

}  // namespace faultline

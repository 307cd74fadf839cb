// What RaftObserver remembers of each applied log index, for the indexes a
// server could still apply: State Machine Safety (Figure 3: no two servers
// apply different commands at one index) compares every apply with the
// first one at its index, and Leader Completeness compares a new leader's
// log with what was applied above its snapshot.
//
// A server applies an index above its snapshot's base and nothing at or
// below it, and a restart reloads the snapshot it last made durable. So
// the slots at or below every server's previous snapshot base (the one
// before its latest: the latest may not have been synced when it crashed)
// can never be read again; drop_through() frees them. The window then
// holds a few snapshot intervals instead of an entry per index of the run
// (16 bytes an index: 58 MB in an hour of Raft at 1,000 requests/s).
//
// A slot below the window is gone: find() gives null, and the caller skips
// the comparison. That happens only if a server restarted from a snapshot
// older than its previous one (two snapshots lost at once), which Raft's
// synced snapshots exclude; see RaftObserver::note_base().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace faultline {

template <class Slot>
class AppliedWindow {
 public:
  using Index = std::uint64_t;

  // The highest index with a slot (0: none yet); slots above the window's
  // start are made as indexes are applied, default-constructed.
  Index last() const { return base_ + slots_.size(); }
  // The highest index dropped (0: none): slots exist for base() < i <= last().
  Index base() const { return base_; }

  // The slot of index i (i >= 1), made (with those below it) if need be; null
  // when i is at or below base() (dropped).
  Slot* make(Index i) {
    if (i <= base_) [[unlikely]] return nullptr;
    if (i == last() + 1) slots_.emplace_back();  // the common case: the next index
    else if (i > last()) slots_.resize(i - base_);
    return &slots_[i - base_ - 1];
  }
  // The slot of index i, or null (dropped, or never made).
  const Slot* find(Index i) const { return i <= base_ || i > last() ? nullptr : &slots_[i - base_ - 1]; }

  // Frees the slots of indexes up to `index`; in steps of at least half the
  // slots held, so each slot is moved O(1) times on average.
  void drop_through(Index index) {
    if (index <= base_) return;
    const Index drop = std::min<Index>(index - base_, slots_.size());
    if (drop < kMinDrop || drop * 2 < slots_.size()) return;
    slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(drop));
    base_ += drop;
  }

 private:
  static constexpr Index kMinDrop = 16;
  Index base_ = 0;
  std::vector<Slot> slots_;  // slots_[k]: index base_ + 1 + k
};

}  // namespace faultline

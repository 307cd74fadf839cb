// What a Raft safety checker may see of one server: the state of the paper's
// Figure 2, read through a small typed interface.
//
// Checkers observe a Raft implementation only through this view, never by
// parsing the trace: renaming a trace field cannot disarm a checker, and
// any implementation that can answer these questions (faultline's own
// RaftNode, an unmodified third-party library behind an adapter) is checked
// by the same observer.
//
// Indexes are 1-based as in the paper; 0 means "none". Entries up to
// log_base_index() are compacted into a snapshot and can no longer be read.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline::raft {

using ViewTerm = std::uint64_t;
using ViewIndex = std::uint64_t;

enum class ViewRole : std::uint8_t { kFollower, kCandidate, kLeader };

// What the observer reads of a server after every event it handles, in one
// call (RaftStateView::summary()): the answers of the calls of the same
// names below, as of now.
struct ViewSummary {
  // log_rewrites when the implementation does not count them.
  static constexpr std::uint64_t kNotCounted = ~std::uint64_t{0};
  ViewRole role = ViewRole::kFollower;
  ViewTerm current_term = 0;
  ViewIndex commit_index = 0, last_applied = 0;
  ViewIndex log_base_index = 0, log_last_index = 0;
  // A count that changes whenever an entry the log held may have been
  // removed or replaced since the server started (a truncation, a
  // compaction), never on an append alone; kNotCounted if not kept. While it
  // stays the same, an entry seen in the log is still there unchanged
  // (CommittedLog then does not read it again). Starts afresh when the
  // server restarts.
  std::uint64_t log_rewrites = kNotCounted;
  // A leader's match indexes in one array, when it keeps them so:
  // match_indexes[j] is match_index(j) for every server j, valid until the
  // server's next event; null otherwise (then match_index(j) is asked).
  const ViewIndex* match_indexes = nullptr;
};

// One readable entry as the view gives it: term_at(i) and entry_digest(i).
struct ViewEntry {
  ViewTerm term;
  std::uint64_t digest;
};

class RaftStateView {
 public:
  virtual ~RaftStateView() = default;

  // Figure 2, persistent state on all servers.
  virtual ViewRole role() const = 0;
  virtual ViewTerm current_term() const = 0;
  virtual std::optional<NodeId> voted_for() const = 0;

  // Figure 2, volatile state on all servers.
  virtual ViewIndex commit_index() const = 0;
  virtual ViewIndex last_applied() const = 0;

  // The log: base_index() is the last compacted index (0: none), whose term
  // is term_at(base_index()); entries base_index()+1 .. last_index() are
  // readable. term_at() is 0 outside [base_index(), last_index()].
  virtual ViewIndex log_base_index() const = 0;
  virtual ViewIndex log_last_index() const = 0;
  virtual ViewTerm term_at(ViewIndex i) const = 0;
  // A digest of the entry's command (equal entries, equal digests; an entry
  // with no command, e.g. a leader's no-op or a configuration, digests to a
  // value that tells it apart). Requires base_index() < i <= last_index().
  virtual std::uint64_t entry_digest(ViewIndex i) const = 0;
  // Appends {term_at(i), entry_digest(i)} for i = from .. to, in order
  // (every i readable; nothing when from > to): one call for a whole range,
  // for a checker that copies logs (log_matching). This default asks for
  // each in turn; an implementation may read its log directly.
  virtual void read_entries(ViewIndex from, ViewIndex to, std::vector<ViewEntry>& out) const {
    for (ViewIndex i = from; i <= to; ++i) out.push_back({term_at(i), entry_digest(i)});
  }

  // Figure 2, volatile state on leaders: the highest index known replicated
  // on `server`. An implementation that does not expose it answers
  // std::nullopt (the acknowledged-entry part of committed_entry_kept is then
  // not checked for it, and the checker says so in its description).
  virtual std::optional<ViewIndex> match_index(NodeId server) const = 0;
  // A leader whose authority a majority has acknowledged (an AppendEntries
  // round of its term answered by a majority); ends time_to_leader_ns.
  virtual bool leadership_established() const = 0;

  // The state above in one call (see ViewSummary). This default asks each
  // question in turn and counts no rewrites; an implementation may answer
  // it more cheaply.
  virtual ViewSummary summary() const {
    return {role(), current_term(), commit_index(), last_applied(), log_base_index(), log_last_index(),
            ViewSummary::kNotCounted, nullptr};
  }
};

}  // namespace faultline::raft

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

#include "protocols/host/time.hpp"

namespace faultline::raft {

using ViewTerm = std::uint64_t;
using ViewIndex = std::uint64_t;

enum class ViewRole : std::uint8_t { kFollower, kCandidate, kLeader };

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

  // Figure 2, volatile state on leaders: the highest index known replicated
  // on `server`. An implementation that does not expose it answers
  // std::nullopt (the acknowledged-entry part of committed_entry_kept is then
  // not checked for it, and the checker says so in its description).
  virtual std::optional<ViewIndex> match_index(NodeId server) const = 0;
  // A leader whose authority a majority has acknowledged (an AppendEntries
  // round of its term answered by a majority); ends time_to_leader_ns.
  virtual bool leadership_established() const = 0;
};

}  // namespace faultline::raft

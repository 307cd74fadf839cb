// Commits that cannot vanish (Raft): once an entry is committed anywhere in
// the cluster, no server that holds it ever loses it, by a truncation or an
// overwrite, and no server that acknowledged it loses it in a crash. The
// paper's safety argument (section 5.4.2, Figure 3's Leader Completeness)
// rests on it: the entry sits on a majority, and every later leader comes
// from a voter of that majority.
//
//   committed_entry_kept   a server that held the committed entry at index i
//                          (term t) still holds it: its log has term t at i,
//                          or its snapshot covers i (compaction keeps a
//                          committed prefix in the snapshot; that is not a
//                          loss). Whether or not the server itself knows the
//                          entry is committed, once its current term is at
//                          least the term in which i was first reported
//                          committed (below), or once it acknowledged i.
//
// Why the term: entry i committed in term T is in the log of every leader
// of a term above T (Leader Completeness), and T's own leader keeps it; a
// server in term T or later hears only from those, so it keeps i. A server
// still in an earlier term may yet hear from a leader of a term between
// its own and T, which Raft lets lack i: a candidate of term 5 paused while
// its votes came in, resumed after i was committed in term 6, leads term 5
// for a moment and overwrites i on a server that was down through term 6
// (swarm, raft/churn.yaml, seeds 3971, 4497, 7495 of 8,000 before this
// rule). That server never counted toward i's commit, and learns term 6
// before it can apply anything there.
//
// "Committed" is cluster-wide: the highest commit index any server has
// reported, with each entry's term as the reporting server's log had it.
// A server "held" entry i if its log was seen holding it after an event, or
// if it acknowledged i to a leader that then committed it (the ack counted
// toward the commit, so losing i since, even before the commit, is the bug).
// A crash loses what was not synced, and Raft syncs before it acknowledges:
// across a restart, what a server must recover is what it acknowledged.
//
// The checker reads typed state through raft::RaftStateView (each server's
// log and commit index, and a leader's match indexes) after every event, so a loss is caught at the event
// that made it, or, for an acknowledged entry lost before its commit, at the
// commit.
//
// A server holds the committed prefix up to some index (Log Matching: an
// entry with the committed term at i means every committed entry below it is
// there too), so per server one index is enough.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <vector>

#include "protocols/raft/raft_messages.hpp"
#include "protocols/raft/raft_state_view.hpp"
#include "sim/checkers/chosen_values.hpp"

namespace faultline {

class CommittedLog {
 public:
  explicit CommittedLog(NodeId cluster_size) : held_(cluster_size, 0), acked_(cluster_size, 0), verified_(cluster_size) {}

  // A server reports `commit_index`: every entry up to it is committed, with
  // the terms its log holds there (unknown where the log compacted them).
  // (A template over the view's type: RaftObserverFor<P> passes its
  // adapter's own type, whose calls then need no virtual dispatch.)
  template <class View>
  void committed(const View& server, raft::Index commit_index) {
    if (commit_index <= terms_.size()) return;
    // Reported in the server's current term: every entry up to its commit
    // index was committed in that term or an earlier one.
    if (const raft::Term term = server.current_term(); term > latest_commit_term_) {
      commit_terms_.push_back({terms_.size() + 1, term});
      latest_commit_term_ = term;
    }
    // A snapshot's base carries its term; the entries it compacted do not.
    for (raft::Index i = terms_.size() + 1; i <= commit_index; ++i) {
      terms_.push_back(narrow_term(server.term_at(i)));
      if (terms_.back() == 0) unknown_.insert(i);
    }
  }
  // Terms the first report could not give (a server that installed a
  // snapshot reports its base as committed, without the entries below it),
  // from a server whose log and commit index cover them.
  void learn_terms(const raft::RaftStateView& server, raft::Index commit_index);
  bool terms_unknown() const { return !unknown_.empty(); }
  // A leader that committed up to `index` counted `node`'s acknowledgement
  // of it (index = min(its match index for node, its commit index)).
  void acknowledged(NodeId node, raft::Index index) {
    if (index <= acked_[node] && index <= held_[node]) return;  // known already (a leader reports it on every event)
    acknowledge(node, index);
  }
  // `node` crashed: what it must recover is what it acknowledged.
  void crashed(NodeId node) {
    held_[node] = acked_[node];
    verified_[node] = Verified{};  // its next life's log is read afresh
    ++epoch_;
  }
  // Changes whenever check() of a server whose log has not changed since it
  // was last checked could answer differently or leave a different state:
  // terms learned, a crash, a loss reported (which forgets what the server
  // held). Otherwise a check() of an unchanged log repeats the last one
  // (acknowledged() and committed() check each server whose held index
  // they raise, so what they leave is such a repeat's fixed point).
  std::uint64_t epoch() const { return epoch_; }
  // After an event that may have changed `node`'s log (`server`): the committed entry it
  // held, if it no longer holds it (the message says what became of it, for
  // the caller to prefix with the server's name). Then records how far it
  // holds them now.
  // `now` is server.summary() as of now (the caller has it already).
  template <class View>
  [[gnu::always_inline]] std::optional<SafetyViolation> check(NodeId node, const View& server,
                                                              const raft::ViewSummary& now) {
    if (check_repeats(node, now) || extends_confirmed(node, server, now)) return std::nullopt;
    return check_log(node, server, now);
  }
  // Whether check(node, server, now) would find nothing and change nothing
  // (the common case, inline): what it held is confirmed still there (see
  // verified_) and nothing above it is both committed and in its log, so
  // check_log() would only confirm what is known. (Every committed index
  // counts here, not only commit_index_for(its term): for a server in a
  // term before the latest commits' that may answer no where a check would
  // change nothing, and the check then runs. It spares the common case a
  // comparison.)
  [[gnu::always_inline]] bool check_repeats(NodeId node, const raft::ViewSummary& now) const {
    const Verified& verified = verified_[node];
    return now.log_rewrites != raft::ViewSummary::kNotCounted && verified.log_rewrites == now.log_rewrites &&
           verified.held == held_[node] && std::min(commit_index(), now.log_last_index) <= held_[node];
  }
  // check_log()'s common case (after a commit, or an append of committed
  // entries), inline: what it held is confirmed still there (see
  // verified_), and the last index both committed and in its log holds the
  // committed entry; it then holds every committed entry up to there. Does
  // what check_log() would (raises what it holds) and says so; false,
  // having changed nothing, otherwise.
  template <class View>
  [[gnu::always_inline]] bool extends_confirmed(NodeId node, const View& server, const raft::ViewSummary& now) {
    Verified& verified = verified_[node];
    raft::Index& held = held_[node];
    if (now.log_rewrites == raft::ViewSummary::kNotCounted || verified.log_rewrites != now.log_rewrites ||
        verified.held != held)
      return false;
    const raft::Index hi = std::min(commit_index_for(now.current_term), now.log_last_index);
    if (hi <= held || !holds(server, now.log_base_index, hi)) return false;
    held = hi;
    verified.held = hi;
    return true;
  }
  template <class View>
  [[gnu::always_inline]] std::optional<SafetyViolation> check(NodeId node, const View& server) {
    return check(node, server, server.summary());
  }

  raft::Index commit_index() const { return terms_.size(); }
  // The highest committed index a server in `term` is held to (see the top
  // of this file): all of them, unless entries were first reported
  // committed in a later term than its own.
  raft::Index commit_index_for(raft::Term term) const {
    if (term >= latest_commit_term_) [[likely]] return commit_index();
    return first_committed_after(term) - 1;
  }
  // The highest committed index `node` is known to hold (0: none).
  raft::Index held(NodeId node) const { return held_[node]; }
  // Whether acknowledged(node, i) is a no-op for every i <= index.
  bool acknowledged_through(NodeId node, raft::Index index) const {
    return index <= acked_[node] && index <= held_[node];
  }

 public:
  // check() past check_repeats(): reads the log.
  template <class View>
  [[gnu::noinline]] std::optional<SafetyViolation> check_log(NodeId node, const View& server, const raft::ViewSummary& now);

 private:
  void acknowledge(NodeId node, raft::Index index);
  // The first index first reported committed in a term above `term` (one
  // exists: commit_index_for's rare case).
  raft::Index first_committed_after(raft::Term term) const;
  static std::uint32_t narrow_term(raft::Term term) {
    if (term > std::numeric_limits<std::uint32_t>::max()) [[unlikely]] throw_term_too_wide(term);
    return static_cast<std::uint32_t>(term);
  }
  [[noreturn]] static void throw_term_too_wide(raft::Term term);
  // Whether `server`, whose log's base index is `base`, holds the committed entry at i.
  template <class View>
  bool holds(const View& server, raft::Index base, raft::Index i) const {
    if (i <= base) return true;  // compacted into the snapshot: kept
    const raft::Term t = terms_[i - 1];  // a log's term above 32 bits differs from every committed one
    return t != 0 && server.term_at(i) == t;  // a term not known yet confirms nothing
  }
  // check_log() found that `node` lost the entry it held: forgets it, and
  // says what became of it (`last`: its log's last index now; `term_there`:
  // its log's term at that index if it reaches it).
  SafetyViolation lost(NodeId node, raft::Index last, raft::Term term_there);

  // terms_[i - 1]: the committed entry's term at index i (0: unknown). 32
  // bits an entry (an entry per index of the run: millions in an hour); a
  // term beyond that stops the run (narrow_term).
  std::vector<std::uint32_t> terms_;
  std::set<raft::Index> unknown_;  // committed indexes whose term is not known yet
  // The term each committed index was first reported committed in, in
  // runs: from `first` on (to the next run's first), in `term` or, where a
  // server of an earlier term reported more, that earlier term raised to
  // the runs' maximum so far (a held-to index never falls when a term
  // rises). A handful of runs a run of the simulation: one per leader.
  struct CommitTerm {
    raft::Index first;
    raft::Term term;
  };
  std::vector<CommitTerm> commit_terms_;
  raft::Term latest_commit_term_ = 0;  // commit_terms_.back().term (0: none yet)
  std::vector<raft::Index> held_;  // per server
  std::vector<raft::Index> acked_; // per server: the highest committed index a leader counted from it
  // Per server: the held_ that check() last confirmed in its log, and the
  // log's rewrite count then (ViewSummary::log_rewrites). While both are
  // unchanged the entry is still there: check() need not read it again.
  struct Verified {
    raft::Index held = 0;
    std::uint64_t log_rewrites = raft::ViewSummary::kNotCounted;
  };
  std::vector<Verified> verified_;
  std::uint64_t epoch_ = 0;  // see epoch()
};

template <class View>
std::optional<SafetyViolation> CommittedLog::check_log(NodeId node, const View& log, const raft::ViewSummary& now) {
  raft::Index& held = held_[node];
  Verified& verified = verified_[node];
  // Confirmed at the last check, and no entry of its log removed or
  // replaced since: still held (appends leave the entries before them).
  const bool confirmed = verified.held == held && now.log_rewrites != raft::ViewSummary::kNotCounted &&
                         verified.log_rewrites == now.log_rewrites;
  if (held != 0 && !confirmed && !holds(log, now.log_base_index, held)) [[unlikely]]
    return lost(node, now.log_last_index, now.log_last_index < held ? 0 : log.term_at(held));
  // The highest committed index it holds: holding is true up to some index
  // and false above (Log Matching), so bisect between what it held and the
  // end of what is both committed and in its log.
  raft::Index lo = held, hi = std::min(commit_index_for(now.current_term), now.log_last_index);
  if (hi > lo && holds(log, now.log_base_index, hi)) lo = hi;
  while (hi > lo) {
    const raft::Index mid = lo + (hi - lo + 1) / 2;
    if (holds(log, now.log_base_index, mid)) lo = mid;
    else hi = mid - 1;
  }
  held = lo;
  verified = Verified{held, now.log_rewrites};
  return std::nullopt;
}

}  // namespace faultline

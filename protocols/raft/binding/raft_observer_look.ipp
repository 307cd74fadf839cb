// RaftObserver's look at a server whose state changed (look_changed and the
// checks it runs after every such event), as templates over how the
// servers' views are read (RaftObserver::ClusterViews: through RaftCluster;
// SimulationRaftCluster<P>::TypedViews: the adapter's own type, without
// virtual calls). Included by raft_observer.hpp; the rare parts (elections,
// recoveries, reports) stay out of line in raft_observer.cpp.
#pragma once

#include <algorithm>

namespace faultline {

template <class Views>
void RaftObserver::look_changed_at(Time t, NodeId node, const Views& views) {
  look_changed(t, node, views, seen_[node], views.view(node).summary());
}

template <class Views>
void RaftObserver::look_changed(Time t, NodeId node, const Views& views, Seen& s, const raft::ViewSummary& now) {
  using raft::ViewIndex;
  using raft::ViewRole;
  using raft::ViewTerm;
  const auto& v = views.view(node);
  if (s.restarted) restart_seen(node, v, s);
  const std::uint64_t committed_epoch = committed_.epoch();  // as of the start: a change during the look counts
  const ViewRole role = now.role;
  const ViewTerm term = now.current_term;
  const bool leads_seen_term = s.role == ViewRole::kLeader && s.term == term;

  // Typed state: a candidate stands in its current term (5.2: a candidate
  // increments its term before asking for votes), and so did a leader of a
  // term it was not seen leading (only a candidate becomes leader).
  if (role == ViewRole::kCandidate || (role == ViewRole::kLeader && !leads_seen_term)) note_candidacy(node, term);
  // A leader lost: it was seen leading a term it no longer leads.
  if (s.role == ViewRole::kLeader && !(role == ViewRole::kLeader && term == s.term)) on_leader_lost(t, node);
  if (role == ViewRole::kLeader && !leads_seen_term) on_elected(t, node, term, v);

  // Neither the commit index nor last applied goes back while a server runs
  // (Figure 2: commitIndex and lastApplied increase monotonically).
  const ViewIndex commit = now.commit_index, applied = now.last_applied;
  if (commit < s.commit_index || applied < s.last_applied || applied > commit) [[unlikely]]
    report_commit_went_back(node, s, commit, applied);
  // Led while applying: leads now, or led this term when the event began
  // (a leader removed by the configuration it applies steps down mid-event).
  const bool leading = role == ViewRole::kLeader || leads_seen_term;
  if (applied > s.last_applied) on_applied(t, node, s.last_applied + 1, applied, leading, v, now.log_base_index);

  s.role = role;
  s.term = term;
  s.commit_index = std::max(s.commit_index, commit);
  s.last_applied = std::max(s.last_applied, applied);

  const std::uint64_t ack_pending = check_committed_entries(node, views, v, now);

  s.looked = true;
  if (now.log_base_index != s.log_base_index) [[unlikely]] note_base(node, now.log_base_index);
  s.log_base_index = now.log_base_index;
  s.log_last_index = now.log_last_index;
  s.log_rewrites = now.log_rewrites;
  s.committed_epoch = committed_epoch;
  if (role == ViewRole::kLeader && now.match_indexes && !seen_matches_.empty()) {
    const NodeId n = servers();
    ViewIndex* seen = seen_matches_.data() + static_cast<std::size_t>(node) * n;
    for (NodeId j = 0; j < n; ++j) seen[j] = now.match_indexes[j];
    s.ack_pending = ack_pending;  // the servers whose match indexes a later look could act on (see unchanged())
  } else {
    // Every server (bits 0 .. n-1), should it lead later with its match indexes kept.
    s.ack_pending = servers() >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << servers()) - 1;
  }

  // time_to_leader_ns ends when the new leader is established: a majority
  // answered its first AppendEntries round (read from its state). Only the
  // leader's own events change that, and it is awaited only once it leads.
  if (leaders_.awaiting_established() && leaders_.current() == node && term == leaders_.term() &&
      v.leadership_established())
    leaders_.established(t, node, term);
}

template <class View>
void RaftObserver::on_applied(Time t, NodeId node, raft::ViewIndex from, raft::ViewIndex to, bool leading,
                              const View& v, raft::ViewIndex base) {
  using raft::ViewIndex;
  using raft::ViewTerm;
  // A leader cut off from a majority commits nothing it appended since:
  // count the indexes of the range above its log's end at the cut.
  if (leading && cut_off_[node] && to > log_at_cut_[node])
    cut_off_commits_ += to - std::max<ViewIndex>(from - 1, log_at_cut_[node]);
  for (ViewIndex index = from; index <= to; ++index) {
    // What was applied at `index`: readable unless this very event compacted
    // it (a snapshot right after applying, or one installed from the leader),
    // when only the base's term is left.
    const ViewTerm term = v.term_at(index);  // 0 below the base: unknown
    if (term == 0) continue;
    const std::uint64_t digest = index > base ? v.entry_digest(index) : kUnknownDigest;
    const std::uint32_t narrow = narrow_term(term);
    Applied* const made = applied_.make(index);  // slots of term 0 are skipped wherever read
    if (made == nullptr) [[unlikely]] {  // dropped: a restart older than its previous snapshot (AppliedWindow)
      leaders_.committed(t, term);
      continue;
    }
    Applied& slot = *made;
    if (slot.term == 0) {
      slot = {digest, narrow, narrow_term(highest_leader_term_)};
    } else if (slot.term != narrow || (digest != kUnknownDigest && slot.digest != kUnknownDigest && slot.digest != digest))
        [[unlikely]] {
      report_applied_differently(node, index, term, digest);
    } else if (slot.digest == kUnknownDigest) {
      slot.digest = digest;
    }
    leaders_.committed(t, term);
  }
  // Caught up once it applied its target (at this event's time, whichever
  // index of the range reached it).
  if (!catching_up_.empty()) [[unlikely]] caught_up(t, node, to);
}

template <class Views, class View>
std::uint64_t RaftObserver::check_committed_entries(NodeId node, const Views& views, const View& v,
                                                    const raft::ViewSummary& now) {
  using raft::ViewIndex;
  const ViewIndex commit = now.commit_index;
  if (commit > committed_.commit_index()) record_commit(node, views, v, commit);
  std::uint64_t pending = 0;
  if (now.role == raft::ViewRole::kLeader) {
    if (committed_.terms_unknown()) committed_.learn_terms(v, commit);
    // What a leader committed counting a server's acknowledgement, that server holds.
    const NodeId n = servers();
    for (NodeId j = 0; j < n; ++j) {
      // Known up to the commit index already: nothing it reports can add to it.
      if (j == node || committed_.acknowledged_through(j, commit)) continue;
      ViewIndex match = 0;
      if (now.match_indexes) {
        match = now.match_indexes[j];
      } else if (const auto asked = v.match_index(j)) {
        match = *asked;
      }
      if (match != 0) {
        const ViewIndex before = committed_.held(j);
        committed_.acknowledged(j, std::min(match, commit));
        // It must hold it now (an entry lost before its commit is caught at the commit).
        if (committed_.held(j) != before && views.running(j)) check_other(views, j);
      }
      if (j < 64 && !committed_.acknowledged_through(j, commit)) pending |= std::uint64_t{1} << j;
    }
  }
  if (auto lost = committed_.check(node, v, now)) [[unlikely]]
    report_lost(node, *lost);
  return pending;
}

template <class Views, class View>
void RaftObserver::record_commit(NodeId node, const Views& views, const View& v, raft::ViewIndex commit) {
  committed_.committed(v, commit);
  // Newly committed entries are held by every server whose log has them:
  // record that now, so one that loses them at its next event is caught.
  const NodeId n = servers();  // the servers (cluster_.node_count())
  for (NodeId j = 0; j < n; ++j)
    if (j != node && views.running(j)) check_other(views, j);
}

template <class Views>
void RaftObserver::check_other(const Views& views, NodeId j) {
  if (auto lost = committed_.check(j, views.view(j))) [[unlikely]]
    report_lost(j, *lost);
}

}  // namespace faultline

#include "protocols/raft/binding/raft_observer.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace faultline {

using raft::RaftStateView;
using raft::ViewIndex;
using raft::ViewRole;
using raft::ViewTerm;

RaftObserver::RaftObserver(const Scenario& scenario, RaftCluster& cluster)
    : RaftObserver(cluster, scenario.node_count()) {}

RaftObserver::RaftObserver(RaftCluster& cluster, NodeId servers)
    : cluster_(cluster),
      servers_(servers),
      seen_(servers),
      seen_matches_(servers <= kMatchesKeptUpTo ? static_cast<std::size_t>(servers) * servers : 0, 0),
      committed_(servers),
      cut_off_(servers, false),
      log_at_cut_(servers, 0) {
  // Every server started before the first event: look at each after it.
  for (NodeId i = 0; i < servers; ++i) to_look_at_.push_back(i);
}

void RaftObserver::on_connectivity_change(Time t) {
  const NodeId n = static_cast<NodeId>(cut_off_.size());
  for (NodeId x = 0; x < n; ++x) {
    const bool cut = !reaches_majority(cluster_.connectivity(), x, n);
    const RaftStateView& v = cluster_.view(x);
    if (cut && !cut_off_[x]) log_at_cut_[x] = v.log_last_index();
    cut_off_[x] = cut;
    // A stale leader (a newer term has a leader) back in touch with a
    // majority: it must step down.
    if (!cut && cluster_.is_running(x) && v.role() == ViewRole::kLeader && v.current_term() < highest_leader_term_)
      stale_rejoined_.try_emplace(x, t);
  }
  if (leaders_.current() != kNoNode) leaders_.leader_cut_off(t, cut_off_[leaders_.current()]);
}

void RaftObserver::note_candidacy(NodeId node, ViewTerm term) {
  auto& stood = candidates_of_term_[term];
  if (std::find(stood.begin(), stood.end(), node) == stood.end()) stood.push_back(node);
}

void RaftObserver::after_event(Time t) {
  // A server's state changes only while it handles an event; a crash or a
  // restart (possibly of several servers in one fault) is queued by its hook.
  const NodeId acting = cluster_.acting_node();
  if (acting != kNoNode && acting < seen_.size()) look_at(t, acting);
  if (!to_look_at_.empty()) look_at_queued(t, acting);
}

void RaftObserver::look_at_queued(Time t, NodeId acting) {
  for (std::size_t k = 0; k < to_look_at_.size(); ++k)
    if (to_look_at_[k] != acting) look_at(t, to_look_at_[k]);
  to_look_at_.clear();
}

void RaftObserver::look_at(Time t, NodeId node) {
  if (!cluster_.is_running(node)) return;  // a crashed server is judged by what it recovers
  const RaftStateView& v = cluster_.view(node);
  Seen& s = seen_[node];
  // Everything read of it below but the entries themselves, in one call.
  const raft::ViewSummary now = v.summary();
  // A server whose state is what the last look saw (the event was another
  // node's, a client's, or changed nothing here, as a rejected
  // AppendEntries does): each check would repeat the last look's. Most
  // looks are such (about four in five of the Raft benchmark's): they
  // stop here, before look_changed()'s set-up.
  if (!s.restarted && unchanged(node, s, now)) {
    s.log_last_index = now.log_last_index;  // see unchanged()
    return;
  }
  look_changed(t, node, v, s, now);
}

void RaftObserver::look_changed_at(Time t, NodeId node, const RaftStateView& v) {
  look_changed(t, node, v, seen_[node], v.summary());
}

void RaftObserver::look_changed(Time t, NodeId node, const RaftStateView& v, Seen& s, const raft::ViewSummary& now) {
  if (s.restarted) {
    check_recovery(node, v);
    s = Seen{};
    s.term = v.current_term();
    s.last_applied = v.last_applied();  // what its snapshot stands for
    s.commit_index = v.commit_index();
  }
  const std::uint64_t committed_epoch = committed_.epoch();  // as of the start: a change during the look counts
  const ViewRole role = now.role;
  const ViewTerm term = now.current_term;
  const bool leads_seen_term = s.role == ViewRole::kLeader && s.term == term;

  // Typed state: a candidate stands in its current term (5.2: a candidate
  // increments its term before asking for votes), and so did a leader of a
  // term it was not seen leading (only a candidate becomes leader).
  if (role == ViewRole::kCandidate || (role == ViewRole::kLeader && !leads_seen_term)) note_candidacy(node, term);
  // A leader lost: it was seen leading a term it no longer leads.
  if (s.role == ViewRole::kLeader && !(role == ViewRole::kLeader && term == s.term)) {
    leaders_.left(t, node);
    if (auto it = stale_rejoined_.find(node); it != stale_rejoined_.end()) {
      stepdown_after_heal_.push_back(static_cast<double>(t - it->second));
      stale_rejoined_.erase(it);
    }
  }
  if (role == ViewRole::kLeader && !leads_seen_term) on_elected(t, node, term, v);

  // Neither the commit index nor last applied goes back while a server runs
  // (Figure 2: commitIndex and lastApplied increase monotonically).
  const ViewIndex commit = now.commit_index, applied = now.last_applied;
  if (commit < s.commit_index || applied < s.last_applied || applied > commit)
    cluster_.report_violation(node, "commit_index_monotonic",
                              fmt::format("{} went from commit index {} and last applied {} to {} and {}",
                                          cluster_.node_name(node), s.commit_index, s.last_applied, commit, applied));
  // Led while applying: leads now, or led this term when the event began
  // (a leader removed by the configuration it applies steps down mid-event).
  const bool leading = role == ViewRole::kLeader || leads_seen_term;
  if (applied > s.last_applied) on_applied(t, node, s.last_applied + 1, applied, leading, v, now.log_base_index);

  s.role = role;
  s.term = term;
  s.commit_index = std::max(s.commit_index, commit);
  s.last_applied = std::max(s.last_applied, applied);

  const std::uint64_t ack_pending = check_committed_entries(node, v, now);

  s.looked = true;
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

void RaftObserver::check_recovery(NodeId node, const RaftStateView& v) {
  // An applied entry is never lost: what a node applied before it crashed
  // is in what it recovers (its log, or the snapshot below it).
  const ViewIndex recovered = v.log_last_index();
  if (auto it = applied_at_crash_.find(node); it != applied_at_crash_.end() && recovered < it->second)
    cluster_.report_violation(node, "applied_entry_lost",
                              fmt::format("{} had applied up to index {} when it crashed, but recovered a log ending at "
                                          "{}: entries it applied were never durable",
                                          cluster_.node_name(node), it->second, recovered));
  const ViewTerm term = v.current_term();
  if (auto it = term_before_crash_.find(node); it != term_before_crash_.end() && term < it->second)
    cluster_.report_violation(node, "term_monotonic",
                              fmt::format("{} restarted with term {}, but was at term {} when it crashed: its durable "
                                          "state lost the term (and the vote that goes with it)",
                                          cluster_.node_name(node), term, it->second));
}

void RaftObserver::on_elected(Time t, NodeId node, ViewTerm term, const RaftStateView& v) {
  check_log_matching(node);
  auto [it, fresh] = leader_of_term_.emplace(term, node);
  if (!fresh && it->second != node)
    cluster_.report_violation(node, "election_safety",
                              fmt::format("{} and {} are both leaders of term {}", cluster_.node_name(it->second),
                                          cluster_.node_name(node), term));
  // Leader Completeness (5.4): an entry committed in a term is in the log
  // of every leader of a later term. An entry first applied while the
  // highest leader term was H was committed in a term <= H, so a leader of
  // a term above H must hold it. (A leader of an older term can be elected
  // late, on delayed votes, and owes nothing newer.)
  // Compacted entries (up to the snapshot base) were applied, so committed: held.
  for (ViewIndex i = v.log_base_index() + 1; i <= applied_.size(); ++i) {
    const Applied& a = applied_[i - 1];
    if (a.term == 0 || a.committed_by_term_at_most >= term) continue;
    if (v.term_at(i) != a.term) {
      cluster_.report_violation(node, "leader_completeness",
                                fmt::format("{} became leader of term {} without the entry committed at index {} (term "
                                            "{}, committed by term {} at the latest); its log has term {} there",
                                            cluster_.node_name(node), term, i, a.term, a.committed_by_term_at_most,
                                            v.term_at(i)));
      break;
    }
  }
  highest_leader_term_ = std::max(highest_leader_term_, term);
  // The metrics-only path's transfer (see on_protocol_event).
  if (transfer_started_ >= 0 && node == transfer_to_) transfer_ns_.push_back(static_cast<double>(t - transfer_started_));
  transfer_started_ = -1;
  leaders_.elected(t, node, term, cut_off_[node]);
}

void RaftObserver::throw_term_too_wide(std::uint64_t term) {
  throw std::overflow_error(fmt::format("raft observer: term {} does not fit the 32 bits it keeps per entry", term));
}

void RaftObserver::on_applied(Time t, NodeId node, ViewIndex from, ViewIndex to, bool leading, const RaftStateView& v,
                              ViewIndex base) {
  // A leader cut off from a majority commits nothing it appended since.
  const bool cut_off_leader = leading && cut_off_[node];
  for (ViewIndex index = from; index <= to; ++index) {
    // What was applied at `index`: readable unless this very event compacted
    // it (a snapshot right after applying, or one installed from the leader),
    // when only the base's term is left.
    const ViewTerm term = v.term_at(index);  // 0 below the base: unknown
    const std::uint64_t digest = index > base ? v.entry_digest(index) : kUnknownDigest;
    if (term != 0) {
      // Grown once for the range (slots of term 0 are skipped wherever read).
      if (applied_.size() < index) applied_.resize(to);
      Applied& slot = applied_[index - 1];
      const std::uint32_t narrow = narrow_term(term);
      if (slot.term == 0) {
        slot = {digest, narrow, narrow_term(highest_leader_term_)};
      } else if (slot.term != narrow || (digest != kUnknownDigest && slot.digest != kUnknownDigest && slot.digest != digest)) {
        report_applied_differently(node, index, term, digest);
      } else if (slot.digest == kUnknownDigest) {
        slot.digest = digest;
      }
      leaders_.committed(t, term);
    }
    if (cut_off_leader && index > log_at_cut_[node]) ++cut_off_commits_;
  }
  // Caught up once it applied its target (at this event's time, whichever
  // index of the range reached it).
  if (catching_up_.empty()) return;
  if (auto it = catching_up_.find(node); it != catching_up_.end() && to >= it->second.target) {
    catchup_ns_.push_back(static_cast<double>(t - it->second.since));
    catching_up_.erase(it);
  }
}

void RaftObserver::report_applied_differently(NodeId node, ViewIndex index, ViewTerm term, std::uint64_t digest) {
  const Applied& slot = applied_[index - 1];
  auto shown = [](std::uint64_t d) { return d == kUnknownDigest ? std::string("compacted") : fmt::format("{:x}", d); };
  cluster_.report_violation(
      node, "state_machine_safety",
      fmt::format("{} applied (term {}, command {}) at index {}, where another node applied (term {}, command {})",
                  cluster_.node_name(node), term, shown(digest), index, slot.term, shown(slot.digest)));
}

std::uint64_t RaftObserver::check_committed_entries(NodeId node, const RaftStateView& v, const raft::ViewSummary& now) {
  const ViewIndex commit = now.commit_index;
  if (commit > committed_.commit_index()) record_commit(node, v, commit);
  std::uint64_t pending = 0;
  if (now.role == ViewRole::kLeader) {
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
        if (committed_.held(j) != before && cluster_.is_running(j)) check_other(j);
      }
      if (j < 64 && !committed_.acknowledged_through(j, commit)) pending |= std::uint64_t{1} << j;
    }
  }
  if (!committed_.check_repeats(node, now))
    if (auto lost = committed_.check_log(node, v, now))
      cluster_.report_violation(node, lost->invariant, fmt::format("{} {}", cluster_.node_name(node), lost->message));
  return pending;
}

void RaftObserver::record_commit(NodeId node, const RaftStateView& v, ViewIndex commit) {
  committed_.committed(v, commit);
  // Newly committed entries are held by every server whose log has them:
  // record that now, so one that loses them at its next event is caught.
  const NodeId n = servers();  // the servers (cluster_.node_count())
  for (NodeId j = 0; j < n; ++j)
    if (j != node && cluster_.is_running(j)) check_other(j);
}

void RaftObserver::check_other(NodeId j) {
  if (auto lost = committed_.check(j, cluster_.view(j)))
    cluster_.report_violation(j, lost->invariant, fmt::format("{} {}", cluster_.node_name(j), lost->message));
}

void RaftObserver::before_crash(Time, NodeId node) {
  const RaftStateView& v = cluster_.view(node);
  term_before_crash_[node] = v.current_term();
  applied_at_crash_[node] = v.last_applied();
  committed_.crashed(node);
}

void RaftObserver::on_crash(Time t, NodeId node) {
  leaders_.left(t, node);
  stale_rejoined_.erase(node);
  catching_up_.erase(node);
  seen_[node] = Seen{};
}

void RaftObserver::on_restart(Time t, NodeId node) {
  // The server recovers from storage right after this hook, within the same
  // event: look at what it recovered after the event.
  seen_[node].restarted = true;
  to_look_at_.push_back(node);
  std::uint64_t committed = 0;
  for (NodeId i = 0; i < cluster_.node_count(); ++i)
    if (i != node && cluster_.is_running(i)) committed = std::max<std::uint64_t>(committed, cluster_.view(i).commit_index());
  if (committed == 0) return;
  const std::uint64_t had = applied_at_crash_[node];
  catchup_entries_.push_back(static_cast<double>(committed > had ? committed - had : 0));
  catching_up_[node] = {t, committed};
}

// Log Matching (Figure 3): if two logs hold an entry with the same index
// and term, they are identical up to it. Checked whenever a leader is
// elected (every pair of running nodes) and at the end of the run.
void RaftObserver::check_log_matching(NodeId at) {
  // Each running server's readable entries (term and digest) are read once,
  // then compared pair by pair: a server's view is read n times fewer than
  // reading both logs afresh for every pair (nothing changes between events).
  const NodeId n = cluster_.node_count();
  log_copies_.resize(n);
  for (NodeId a = 0; a < n; ++a) {
    LogCopy& copy = log_copies_[a];
    copy.entries.clear();
    if (!cluster_.is_running(a)) continue;
    const RaftStateView& v = cluster_.view(a);
    copy.base = v.log_base_index();
    const ViewIndex last = v.log_last_index();
    copy.entries.reserve(last - copy.base);
    for (ViewIndex i = copy.base + 1; i <= last; ++i) copy.entries.push_back({v.term_at(i), v.entry_digest(i)});
  }
  for (NodeId a = 0; a < n; ++a) {
    if (!cluster_.is_running(a)) continue;
    const LogCopy& la = log_copies_[a];
    for (NodeId b = a + 1; b < n; ++b) {
      if (!cluster_.is_running(b)) continue;
      const LogCopy& lb = log_copies_[b];
      const ViewIndex lo = std::max(la.base, lb.base) + 1;
      ViewIndex hi = std::min(la.last(), lb.last());
      while (hi >= lo && la.at(hi).term != lb.at(hi).term) --hi;  // the last index where the terms agree
      for (ViewIndex i = lo; i <= hi; ++i) {
        if (la.at(i).term == lb.at(i).term && la.at(i).digest == lb.at(i).digest) continue;
        cluster_.report_violation(at, "log_matching",
                                  fmt::format("{} and {} agree on the term at index {} ({}) but differ at index {} "
                                              "(terms {} and {})",
                                              cluster_.node_name(a), cluster_.node_name(b), hi, la.at(hi).term, i,
                                              la.at(i).term, lb.at(i).term));
        return;
      }
    }
  }
}

// The metrics-only path. These four metrics have no typed equivalent in
// RaftStateView (a configuration entry, a transfer request, and which kind
// of snapshot grew the log's base are not in it), so they come from the
// implementation's own events. No safety verdict depends on anything read
// here: tests/raft/raft_view_observer_test.cpp runs the mutants with this
// hook silenced and gets the same violations.
void RaftObserver::on_protocol_event(Time t, NodeId, std::string_view kind, std::initializer_list<TraceField> fields) {
  if (kind == "truncate") {
    entries_truncated_ += static_cast<std::uint64_t>(field_number(fields, "count", 0));
  } else if (kind == "config_change") {
    ++config_changes_;
  } else if (kind == "transfer") {
    transfer_started_ = t;
    transfer_to_ = static_cast<NodeId>(field_number(fields, "to"));
  } else if (kind == "snapshot") {
    ++snapshots_taken_;
  } else if (kind == "snapshot_installed") {
    ++snapshots_installed_;
  }
}

void RaftObserver::finish(Time, Metrics& metrics) {
  check_log_matching(0);
  // A term has ended when some server has moved past it.
  std::uint64_t latest_term = 0;
  for (NodeId i = 0; i < cluster_.node_count(); ++i)
    latest_term = std::max<std::uint64_t>(latest_term, cluster_.view(i).current_term());
  std::uint64_t split = 0, failed = 0;
  for (const auto& [term, stood] : candidates_of_term_) {
    if (leader_of_term_.count(term) || term >= latest_term) continue;
    ++(stood.size() >= 2 ? split : failed);
  }
  set_scalar(metrics, "elections", static_cast<double>(candidates_of_term_.size()));
  set_scalar(metrics, "split_votes", static_cast<double>(split));
  set_scalar(metrics, "failed_elections", static_cast<double>(failed));
  leaders_.finish(metrics);
  set_scalar(metrics, "cut_off_commits", static_cast<double>(cut_off_commits_));
  set_scalar(metrics, "entries_truncated", static_cast<double>(entries_truncated_));
  set_scalar(metrics, "snapshots_taken", static_cast<double>(snapshots_taken_));
  set_scalar(metrics, "config_changes", static_cast<double>(config_changes_));
  set_series(metrics, "transfer_ns", transfer_ns_);
  set_scalar(metrics, "snapshots_installed", static_cast<double>(snapshots_installed_));
  set_series(metrics, "stepdown_after_heal_ns", stepdown_after_heal_);
  set_series(metrics, "catchup_entries", catchup_entries_);
  set_series(metrics, "catchup_ns", catchup_ns_);
}

}  // namespace faultline

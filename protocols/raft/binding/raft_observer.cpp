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
      bases_(servers),
      committed_(servers),
      synced_(servers),
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
  if (synced_.due()) [[unlikely]] record_synced_states();
}

void RaftObserver::record_synced_states() {
  synced_.record([&](NodeId n) { return cluster_.syncs_begun(n); }, [&](NodeId n) { return cluster_.syncs_completed(n); },
                 [&](NodeId n) -> const RaftStateView& { return cluster_.view(n); });
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
  look_changed(t, node, ClusterViews{cluster_}, s, now);
}

void RaftObserver::restart_seen(NodeId node, const RaftStateView& v, Seen& s) {
  check_recovery(node, v);
  synced_.recovered(node, cluster_.syncs_completed(node), v.current_term(), v.log_last_index());  // it read them from storage
  s = Seen{};
  s.term = v.current_term();
  s.last_applied = v.last_applied();  // what its snapshot stands for
  s.commit_index = v.commit_index();
}

void RaftObserver::on_leader_lost(Time t, NodeId node) {
  leaders_.left(t, node);
  if (auto it = stale_rejoined_.find(node); it != stale_rejoined_.end()) {
    stepdown_after_heal_.push_back(static_cast<double>(t - it->second));
    stale_rejoined_.erase(it);
  }
}

void RaftObserver::report_commit_went_back(NodeId node, const Seen& s, ViewIndex commit, ViewIndex applied) {
  cluster_.report_violation(node, "commit_index_monotonic",
                            fmt::format("{} went from commit index {} and last applied {} to {} and {}",
                                        cluster_.node_name(node), s.commit_index, s.last_applied, commit, applied));
}

void RaftObserver::caught_up(Time t, NodeId node, ViewIndex applied) {
  if (auto it = catching_up_.find(node); it != catching_up_.end() && applied >= it->second.target) {
    catchup_ns_.push_back(static_cast<double>(t - it->second.since));
    catching_up_.erase(it);
  }
}

void RaftObserver::check_recovery(NodeId node, const RaftStateView& v) {
  // An applied entry is never lost: what a node applied before it crashed
  // (and had made durable, on a disk whose syncs take time: SyncedStates) is
  // in what it recovers (its log, or the snapshot below it).
  const ViewIndex recovered = v.log_last_index();
  if (auto it = applied_kept_at_crash_.find(node); it != applied_kept_at_crash_.end() && recovered < it->second)
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
  for (ViewIndex i = std::max(v.log_base_index(), applied_.base()) + 1; i <= applied_.last(); ++i) {
    const Applied& a = *applied_.find(i);
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

void RaftObserver::report_applied_differently(NodeId node, ViewIndex index, ViewTerm term, std::uint64_t digest) {
  const Applied& slot = *applied_.find(index);
  auto shown = [](std::uint64_t d) { return d == kUnknownDigest ? std::string("compacted") : fmt::format("{:x}", d); };
  cluster_.report_violation(
      node, "state_machine_safety",
      fmt::format("{} applied (term {}, command {}) at index {}, where another node applied (term {}, command {})",
                  cluster_.node_name(node), term, shown(digest), index, slot.term, shown(slot.digest)));
}

void RaftObserver::note_base(NodeId node, ViewIndex base) {
  Bases& b = bases_[node];
  if (base == b.latest || !drops_applied_slots_) return;
  b.previous = b.latest;
  b.latest = base;
  ViewIndex floor = std::numeric_limits<ViewIndex>::max();
  for (const Bases& other : bases_) floor = std::min({floor, other.previous, other.latest});
  applied_.drop_through(floor);
}

void RaftObserver::report_lost(NodeId node, const SafetyViolation& lost) {
  cluster_.report_violation(node, lost.invariant, fmt::format("{} {}", cluster_.node_name(node), lost.message));
}

void RaftObserver::before_crash(Time, NodeId node) {
  const RaftStateView& v = cluster_.view(node);
  ViewTerm term = v.current_term();
  ViewIndex applied = v.last_applied();
  // Syncs still under way are lost with the crash, with the writes they
  // cover and the output they held back (Simulation::lose_outstanding_syncs):
  // the restarted server is held to what its latest completed sync covered
  // (SyncedStates), not to what it held in memory.
  if (const std::uint64_t completed = cluster_.syncs_completed(node); completed < cluster_.syncs_begun(node)) {
    const SyncedStates::State& durable = synced_.durable(node, completed);
    term = std::min(term, durable.term);
    applied = std::min(applied, durable.log_last);
  }
  synced_.crashed(node);
  term_before_crash_[node] = term;
  applied_kept_at_crash_[node] = applied;
  applied_at_crash_[node] = v.last_applied();  // catchup_entries counts from here
  committed_.crashed(node);
}

void RaftObserver::on_crash(Time t, NodeId node) {
  leaders_.left(t, node);
  stale_rejoined_.erase(node);
  catching_up_.erase(node);
  seen_[node] = Seen{};
  forget_log_copy(node);  // its next life's log starts its rewrite count afresh
}

void RaftObserver::on_restart(Time t, NodeId node) {
  // The server recovers from storage right after this hook, within the same
  // event: look at what it recovered after the event.
  seen_[node].restarted = true;
  to_look_at_.push_back(node);
  forget_log_copy(node);
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
  // Both the copies and the comparisons carry over from the last check
  // where nothing they rest on changed (LogCopy, PairChecked).
  const NodeId n = cluster_.node_count();
  if (log_copies_.size() != n) {
    log_copies_.assign(n, LogCopy{});
    pairs_checked_.assign(static_cast<std::size_t>(n) * n, PairChecked{});
  }
  for (NodeId a = 0; a < n; ++a) {
    LogCopy& copy = log_copies_[a];
    if (!cluster_.is_running(a)) {
      forget_log_copy(a);
      continue;
    }
    const RaftStateView& v = cluster_.view(a);
    const raft::ViewSummary now = v.summary();
    if (!copy.valid || now.log_rewrites == raft::ViewSummary::kNotCounted || copy.rewrites != now.log_rewrites ||
        copy.base != now.log_base_index || now.log_last_index < copy.last()) {
      forget_log_copy(a);
      copy.base = now.log_base_index;
      copy.entries.reserve(now.log_last_index - copy.base);
    }
    copy.valid = now.log_rewrites != raft::ViewSummary::kNotCounted;
    copy.rewrites = now.log_rewrites;
    v.read_entries(copy.last() + 1, now.log_last_index, copy.entries);
  }
  for (NodeId a = 0; a < n; ++a) {
    if (!cluster_.is_running(a)) continue;
    const LogCopy& la = log_copies_[a];
    for (NodeId b = a + 1; b < n; ++b) {
      if (!cluster_.is_running(b)) continue;
      const LogCopy& lb = log_copies_[b];
      PairChecked& checked = pairs_checked_[static_cast<std::size_t>(a) * n + b];
      const ViewIndex lo = std::max(la.base, lb.base) + 1;
      ViewIndex hi = std::min(la.last(), lb.last());
      while (hi >= lo && la.at(hi).term != lb.at(hi).term) --hi;  // the last index where the terms agree
      // Equal up to equal_through at the last check, and neither copy taken afresh since.
      const bool carried = checked.generation_a == la.generation && checked.generation_b == lb.generation;
      const ViewIndex from = carried ? std::max(lo, checked.equal_through + 1) : lo;
      for (ViewIndex i = from; i <= hi; ++i) {
        if (la.at(i).term == lb.at(i).term && la.at(i).digest == lb.at(i).digest) continue;
        cluster_.report_violation(at, "log_matching",
                                  fmt::format("{} and {} agree on the term at index {} ({}) but differ at index {} "
                                              "(terms {} and {})",
                                              cluster_.node_name(a), cluster_.node_name(b), hi, la.at(hi).term, i,
                                              la.at(i).term, lb.at(i).term));
        return;
      }
      if (hi >= lo) checked = {la.generation, lb.generation, std::max(hi, carried ? checked.equal_through : 0)};
    }
  }
}

void RaftObserver::forget_log_copy(NodeId node) {
  if (node >= log_copies_.size()) return;
  LogCopy& copy = log_copies_[node];
  copy.entries.clear();
  copy.valid = false;
  ++copy.generation;
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

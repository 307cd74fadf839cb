#include "sim/bindings/raft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

RaftObserver::RaftObserver(const Scenario& scenario, const raft::Params&, Simulation<RaftProtocol>& sim)
    : sim_(sim),
      committed_(scenario.node_count()),
      cut_off_(scenario.node_count(), false),
      log_at_cut_(scenario.node_count(), 0) {}

void RaftObserver::on_connectivity_change(Time t) {
  const NodeId n = static_cast<NodeId>(cut_off_.size());
  for (NodeId x = 0; x < n; ++x) {
    const bool cut = !reaches_majority(sim_.connectivity(), x, n);
    if (cut && !cut_off_[x]) log_at_cut_[x] = sim_.node(x).log().last_index();
    cut_off_[x] = cut;
    // A stale leader (a newer term has a leader) back in touch with a
    // majority: it must step down.
    const auto& node = sim_.node(x);
    if (!cut && sim_.is_running(x) && node.role() == raft::Role::kLeader && node.current_term() < highest_leader_term_)
      stale_rejoined_.try_emplace(x, t);
  }
  if (leaders_.current() != kNoNode) leaders_.leader_cut_off(t, cut_off_[leaders_.current()]);
}

void RaftObserver::note_candidacy(NodeId node) {
  // Typed state: whoever is a candidate now stands in its current term
  // (5.2: a candidate increments its term before asking for votes).
  const auto& n = sim_.node(node);
  if (n.role() != raft::Role::kCandidate) return;
  auto& stood = candidates_of_term_[n.current_term()];
  if (std::find(stood.begin(), stood.end(), node) == stood.end()) stood.push_back(node);
}

void RaftObserver::after_event(Time t) {
  note_leadership_established(t);
  check_committed_entries();
}

void RaftObserver::note_leadership_established(Time t) {
  // time_to_leader_ns ends when the new leader is established: a majority
  // answered its first AppendEntries round (read from its state).
  if (!leaders_.awaiting_established()) return;
  const NodeId leader = leaders_.current();
  if (!sim_.is_running(leader)) return;
  const auto& n = sim_.node(leader);
  if (n.current_term() == leaders_.term() && n.leadership_established()) leaders_.established(t, leader, leaders_.term());
}

void RaftObserver::on_protocol_event(Time t, NodeId node, std::string_view kind,
                                     std::initializer_list<TraceField> fields) {
  note_candidacy(node);
  if (kind == "start") {
    // An applied entry is never lost: what a node applied before it crashed
    // is in what it recovers (its log, or the snapshot below it).
    const auto recovered = static_cast<std::uint64_t>(field_number(fields, "log"));
    if (auto it = applied_at_crash_.find(node); it != applied_at_crash_.end() && recovered < it->second)
      sim_.report_violation(node, "applied_entry_lost",
                            fmt::format("{} had applied up to index {} when it crashed, but recovered a log ending at "
                                        "{}: entries it applied were never durable",
                                        sim_.node_name(node), it->second, recovered));
    last_apply_[node] = sim_.node(node).last_applied();
    const auto term = static_cast<std::uint64_t>(field_number(fields, "term"));
    if (auto it = term_before_crash_.find(node); it != term_before_crash_.end() && term < it->second)
      sim_.report_violation(node, "term_monotonic",
                            fmt::format("{} restarted with term {}, but was at term {} when it crashed: its durable "
                                        "state lost the term (and the vote that goes with it)",
                                        sim_.node_name(node), term, it->second));
  } else if (kind == "leader") {
    check_log_matching(node);
    const auto term = static_cast<std::uint64_t>(field_number(fields, "term"));
    auto [it, fresh] = leader_of_term_.emplace(term, node);
    if (!fresh && it->second != node)
      sim_.report_violation(node, "election_safety",
                            fmt::format("{} and {} are both leaders of term {}", sim_.node_name(it->second),
                                        sim_.node_name(node), term));
    // Leader Completeness (5.4): an entry committed in a term is in the log
    // of every leader of a later term. An entry first applied while the
    // highest leader term was H was committed in a term <= H, so a leader of
    // a term above H must hold it. (A leader of an older term can be elected
    // late, on delayed votes, and owes nothing newer.)
    const auto& log = sim_.node(node).log();
    // Compacted entries (up to the snapshot base) were applied, so committed: held.
    for (std::size_t i = log.base_index() + 1; i <= applied_.size(); ++i) {
      const Applied& a = applied_[i - 1];
      if (a.term == 0 || a.committed_by_term_at_most >= term) continue;
      if (log.term_at(i) != a.term) {
        sim_.report_violation(node, "leader_completeness",
                              fmt::format("{} became leader of term {} without the entry committed at index {} (term {}, "
                                          "committed by term {} at the latest); its log has term {} there",
                                          sim_.node_name(node), term, i, a.term, a.committed_by_term_at_most,
                                          log.term_at(i)));
        break;
      }
    }
    highest_leader_term_ = std::max(highest_leader_term_, term);
    if (transfer_started_ >= 0 && node == transfer_to_) transfer_ns_.push_back(static_cast<double>(t - transfer_started_));
    transfer_started_ = -1;
    leaders_.elected(t, node, term, cut_off_[node]);
  } else if (kind == "follower") {
    leaders_.left(t, node);
    if (auto it = stale_rejoined_.find(node); it != stale_rejoined_.end()) {
      stepdown_after_heal_.push_back(static_cast<double>(t - it->second));
      stale_rejoined_.erase(it);
    }
  } else if (kind == "truncate") {
    entries_truncated_ += static_cast<std::uint64_t>(field_number(fields, "count", 0));
  } else if (kind == "config_change") {
    ++config_changes_;
  } else if (kind == "transfer") {
    transfer_started_ = t;
    transfer_to_ = static_cast<NodeId>(field_number(fields, "to"));
  } else if (kind == "snapshot") {
    ++snapshots_taken_;
  } else if (kind == "snapshot_installed") {
    last_apply_[node] = static_cast<std::uint64_t>(field_number(fields, "index"));
    ++snapshots_installed_;
  } else if (kind == "apply") {
    const auto index = static_cast<std::size_t>(field_number(fields, "index"));
    // Entries apply one at a time, in index order: the commit index (which
    // bounds them) never goes backwards while a node runs.
    if (auto& last = last_apply_[node]; index != last + 1)
      sim_.report_violation(node, "commit_index_monotonic",
                            fmt::format("{} applied index {} right after index {}", sim_.node_name(node), index, last));
    last_apply_[node] = index;
    const auto term = static_cast<std::uint64_t>(field_number(fields, "term"));
    const auto digest = static_cast<std::uint64_t>(field_number(fields, "digest"));
    if (applied_.size() < index) applied_.resize(index);
    Applied& slot = applied_[index - 1];
    if (slot.term == 0) {
      slot = {term, digest, highest_leader_term_};
    } else if (slot.term != term || slot.digest != digest) {
      sim_.report_violation(node, "state_machine_safety",
                            fmt::format("{} applied (term {}, command {:x}) at index {}, where another node applied "
                                        "(term {}, command {:x})",
                                        sim_.node_name(node), term, digest, index, slot.term, slot.digest));
    }
    // A leader cut off from a majority commits nothing it appended since.
    if (cut_off_[node] && index > log_at_cut_[node] && sim_.node(node).role() == raft::Role::kLeader)
      ++cut_off_commits_;
    if (auto it = catching_up_.find(node); it != catching_up_.end() && index >= it->second.target) {
      catchup_ns_.push_back(static_cast<double>(t - it->second.since));
      catching_up_.erase(it);
    }
    leaders_.committed(t, term);
  }
}

void RaftObserver::before_crash(Time, NodeId node) {
  term_before_crash_[node] = sim_.node(node).current_term();
  applied_at_crash_[node] = sim_.node(node).last_applied();
  committed_.crashed(node);
}

void RaftObserver::on_crash(Time t, NodeId node) {
  leaders_.left(t, node);
  stale_rejoined_.erase(node);
  catching_up_.erase(node);
}

void RaftObserver::on_restart(Time t, NodeId node) {
  std::uint64_t committed = 0;
  for (NodeId i = 0; i < sim_.node_count(); ++i)
    if (i != node && sim_.is_running(i)) committed = std::max<std::uint64_t>(committed, sim_.node(i).commit_index());
  if (committed == 0) return;
  const std::uint64_t had = applied_at_crash_[node];
  catchup_entries_.push_back(static_cast<double>(committed > had ? committed - had : 0));
  catching_up_[node] = {t, committed};
}

void RaftObserver::check_committed_entries() {
  const NodeId n = sim_.node_count();
  for (NodeId i = 0; i < n; ++i)
    if (sim_.is_running(i) && sim_.node(i).commit_index() > committed_.commit_index())
      committed_.committed(sim_.node(i).log(), sim_.node(i).commit_index());
  // What a leader committed counting a server's acknowledgement, that server holds.
  for (NodeId i = 0; i < n; ++i) {
    const auto& leader = sim_.node(i);
    if (!sim_.is_running(i) || leader.role() != raft::Role::kLeader) continue;
    if (committed_.terms_unknown()) committed_.learn_terms(leader.log(), leader.commit_index());
    for (NodeId j = 0; j < n; ++j)
      if (j != i && leader.match_index()[j] != 0)
        committed_.acknowledged(j, std::min(leader.match_index()[j], leader.commit_index()));
  }
  for (NodeId i = 0; i < n; ++i) {
    if (!sim_.is_running(i)) continue;  // a crashed node is judged by what it recovers
    if (auto v = committed_.check(i, sim_.node(i).log()))
      sim_.report_violation(i, v->invariant, fmt::format("{} {}", sim_.node_name(i), v->message));
  }
}

// Log Matching (Figure 3): if two logs hold an entry with the same index
// and term, they are identical up to it. Checked whenever a leader is
// elected (every pair of running nodes) and at the end of the run.
void RaftObserver::check_log_matching(NodeId at) {
  const NodeId n = sim_.node_count();
  for (NodeId a = 0; a < n; ++a) {
    if (!sim_.is_running(a)) continue;
    for (NodeId b = a + 1; b < n; ++b) {
      if (!sim_.is_running(b)) continue;
      const auto& la = sim_.node(a).log();
      const auto& lb = sim_.node(b).log();
      const raft::Index lo = std::max(la.base_index(), lb.base_index()) + 1;
      raft::Index hi = std::min(la.last_index(), lb.last_index());
      while (hi >= lo && la.term_at(hi) != lb.term_at(hi)) --hi;  // the last index where the terms agree
      for (raft::Index i = lo; i <= hi; ++i) {
        const raft::Entry& x = la.at(i);
        const raft::Entry& y = lb.at(i);
        if (x.term == y.term && x.noop == y.noop && (x.noop || kv::digest(x.command()) == kv::digest(y.command()))) continue;
        sim_.report_violation(at, "log_matching",
                              fmt::format("{} and {} agree on the term at index {} ({}) but differ at index {} "
                                          "(terms {} and {})",
                                          sim_.node_name(a), sim_.node_name(b), hi, la.term_at(hi), i, x.term, y.term));
        return;
      }
    }
  }
}

void RaftObserver::finish(Time, Metrics& metrics) {
  check_log_matching(0);
  // A term has ended when some server has moved past it.
  std::uint64_t latest_term = 0;
  for (NodeId i = 0; i < sim_.node_count(); ++i) latest_term = std::max<std::uint64_t>(latest_term, sim_.node(i).current_term());
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

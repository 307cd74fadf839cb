// ConsulObserverFor's definitions, for the files that instantiate it:
// consul_observer.cpp (faultline's) and tests.
#pragma once

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocols/consul/binding/consul_observer.hpp"
#include "protocols/consul/catalog.hpp"
#include "sim/simulation.hpp"

namespace faultline {

template <class P>
Duration ConsulObserverFor<P>::healthy_bound(const consul::Params& p, NodeId nodes) {
  if (p.healthy_bound > 0) return p.healthy_bound;
  // (A SwimNode of its own: the simulation's nodes are not built yet.)
  Duration bound = 0;
  for (NodeId member : {NodeId{0}, p.servers}) {  // a server, an agent
    const swim::SwimParams& swim = p.swim_of(member);
    swim::SwimShared shared(swim, nodes);
    const Duration longest_suspicion = swim::SwimNode(0, nodes, shared).suspicion_timeout_of(kNoNode);
    bound = std::max(bound, longest_suspicion + 25 * swim.probe_interval + 10 * kSecond);
  }
  return bound;
}

template <class P>
ConsulObserverFor<P>::ConsulObserverFor(const Scenario& scenario, const consul::Params& params, Simulation<P>& sim)
    : sim_(sim),
      params_(params),
      servers_(sim, params.servers),
      raft_(servers_, params.servers),
      left_(scenario.node_count(), false),
      seen_(scenario.node_count()),
      bound_(healthy_bound(params, scenario.node_count())),
      started_at_(params.servers, 0),
      deposed_since_(params.servers, -1) {
  // What every node holds right after its first start, before the first
  // event: nothing applied, counted or read, and in the pool unless its SWIM
  // joins late (as SwimNode::on_start).
  for (NodeId n = 0; n < scenario.node_count(); ++n) {
    const auto& late = params.swim_of(n).late_joiner;
    seen_[n].active = !(n < late.size() && late[n]);
  }
}

template <class P>
void ConsulObserverFor<P>::seed_started() {
  for (NodeId node : started_) {
    if (!sim_.is_running(node)) continue;
    const consul::ConsulNode& n = sim_.node(node);
    Seen& s = seen_[node];
    s = Seen{n.inputs(), n.read_sequence(), 0, n.forwards(), n.reads_redirected(), n.reads_answered(), 0,
             n.swim().active()};
    if (const raft::RaftNode* r = n.raft()) {
      s.applied = r->last_applied();  // its snapshot's base: recovered, not applied
      s.snapshots_installed = r->snapshots_installed();
      for (auto& [m, d] : down_) d.seen_by[node] = n.swim().member(m);
    }
  }
  started_.clear();
}

template <class P>
void ConsulObserverFor<P>::look(Time t, NodeId node) {
  const consul::ConsulNode& n = sim_.node(node);
  Seen& s = seen_[node];
  s.inputs = n.inputs();
  // A graceful leave makes its SWIM inactive, a scripted join active again
  // (a restart, seeded in seed_started, is no join).
  if (n.swim().active() != s.active) {
    s.active = n.swim().active();
    left_[node] = !s.active;
  }
  if (params_.is_server(node)) return look_at_server(t, node, n, s);
  if (n.read_sequence() != s.read_sequence) {
    s.read_sequence = n.read_sequence();
    reads_issued_[{node, s.read_sequence}] = catalog_applied_;
  }
  reads_answered_ += static_cast<std::uint32_t>(n.reads_answered() - s.reads_answered);
  s.reads_answered = n.reads_answered();
}

// In the order a server's input does them: its SWIM's news (a membership
// change, before the reconciliation it triggers), then the applies and the
// reads it answered, each read after the applies that preceded it (a read
// through the log is answered as its entry applies; one confirmed by
// ReadIndex after the applies).
template <class P>
void ConsulObserverFor<P>::look_at_server(Time t, NodeId node, const consul::ConsulNode& n, Seen& s) {
  if (!down_.empty()) {
    // Crashed members its SWIM holds dead now and did not at the last look,
    // in the order it declared them dead: the order of their last changes
    // in step_members_changed(). Then any change that list missed (none
    // while it lists every change: it only orders the detections).
    const std::vector<NodeId>& changed = n.step_members_changed();
    for (auto it = changed.begin(); it != changed.end(); ++it)
      if (auto d = down_.find(*it); d != down_.end() && std::find(it + 1, changed.end(), *it) == changed.end())
        look_at_member(t, node, n, d->first, d->second);
    for (auto& [m, d] : down_) look_at_member(t, node, n, m, d);
  }
  const raft::RaftNode& r = *n.raft();
  if (r.snapshots_installed() != s.snapshots_installed) {
    // Raft's InstallSnapshot applies nothing one by one: what it covers was
    // applied first elsewhere, earlier.
    s.snapshots_installed = r.snapshots_installed();
    s.applied = r.last_applied();
  }
  for (const auto& read : n.step_reads_served()) {
    applied_through(t, node, read.index);
    read_served(t, read);
  }
  applied_through(t, node, r.last_applied());
  rpcs_forwarded_ += static_cast<std::uint32_t>(n.forwards() - s.forwards);
  s.forwards = n.forwards();
  reads_redirected_ += static_cast<std::uint32_t>(n.reads_redirected() - s.reads_redirected);
  s.reads_redirected = n.reads_redirected();
}

template <class P>
void ConsulObserverFor<P>::look_at_member(Time t, NodeId server, const consul::ConsulNode& n, NodeId m, Down& d) {
  const swim::MemberInfo now = n.swim().member(m);
  swim::MemberInfo& last = d.seen_by[server];
  if (now.incarnation == last.incarnation && now.state == last.state && now.since == last.since) return;
  last = now;
  if (now.state == swim::MemberState::kDead) learned_dead(t, server, d);
}

template <class P>
void ConsulObserverFor<P>::learned_dead(Time t, NodeId server, Down& d) {
  // Detection ends when the leader's SWIM holds it dead (the server that
  // can act on it); a server that learns it first and leads later counts
  // from the first server's news (see commit_ns in the header).
  if (d.first_server_learned < 0) d.first_server_learned = t;
  if (d.learned < 0 && sim_.node(server).raft()->role() == raft::Role::kLeader) {
    d.learned = t;
    if (d.was_passing) detect_ns_.push_back(static_cast<double>(t - d.since));
  }
}

template <class P>
void ConsulObserverFor<P>::applied_through(Time t, NodeId server, raft::Index through) {
  Seen& s = seen_[server];
  while (s.applied < through) {
    const std::uint64_t index = ++s.applied;
    // Stale reads: a server applying an entry some server applied earlier
    // would have answered a stale read without it until now (one that was
    // up when it was first applied; a restarted one is catching up).
    if (index <= first_applied_at_.size() && started_at_[server] <= first_applied_at_[index - 1])
      stale_read_lag_ns_.push_back(static_cast<double>(t - first_applied_at_[index - 1]));
    apply_committed(t, server, index);
  }
}

template <class P>
void ConsulObserverFor<P>::read_served(Time t, const consul::ConsulNode::ServedRead& read) {
  // What the read missed: entries committed (first applied by some server)
  // beyond the index the server had applied when it answered, and since
  // when (the first of them).
  const auto m = static_cast<std::size_t>(read.mode);
  const std::uint64_t index = read.index;
  const std::uint64_t missed = catalog_applied_ > index ? catalog_applied_ - index : 0;
  read_missed_entries_[m].push_back(static_cast<double>(missed));
  read_missed_ns_[m].push_back(missed > 0 ? static_cast<double>(t - first_applied_at_[index]) : 0.0);
  auto it = reads_issued_.find({read.agent, read.sequence});
  if (it == reads_issued_.end()) return;
  // A consistent read is linearizable: it reflects every write committed
  // before it was issued (Consul's consistent mode; Raft thesis 6.4).
  if (read.mode == consul::ReadMode::kConsistent && index < it->second)
    sim_.report_violation(read.agent, "consistent_read_fresh",
                          fmt::format("a consistent read by {} (sequence {:#x}) was answered at index {}, but index {} "
                                      "was committed before it was issued",
                                      sim_.node_name(read.agent), read.sequence, index, it->second));
  reads_issued_.erase(it);
}

template <class P>
const raft::Entry& ConsulObserverFor<P>::committed_entry(NodeId server, std::uint64_t index) const {
  const raft::RaftNode& r = *sim_.node(server).raft();
  if (index > r.log().base_index()) return r.log().at(index);
  // A snapshot taken in the input that applied it compacted it: the server
  // kept it for us (RaftNode::keep_compacted()).
  if (const raft::Entry* e = r.compacted_entry(index)) return *e;
  throw std::logic_error(fmt::format("the consul observer cannot read index {}: {} applied it first and compacted it "
                                     "in the same input, and did not keep it (RaftNode::keep_compacted())",
                                     index, sim_.node_name(server)));
}

template <class P>
void ConsulObserverFor<P>::apply_committed(Time t, NodeId server, std::uint64_t index) {
  namespace catalog = consul::catalog;
  // Each index once, in log order: the first server to apply it.
  if (index != catalog_applied_ + 1) return;
  catalog_applied_ = index;
  first_applied_at_.push_back(t);
  const raft::Entry& e = committed_entry(server, index);
  // Default reads: a server that still leads an older term now answers
  // reads without this entry, until it learns it was deposed.
  for (NodeId s = 0; s < params_.servers; ++s) {
    const raft::RaftNode* r = sim_.node(s).raft();
    if (sim_.is_running(s) && r->role() == raft::Role::kLeader && r->current_term() < e.term &&
        deposed_since_[s] < 0)
      deposed_since_[s] = t;
  }
  if (e.noop) return;
  const kv::Request& r = e.command();
  const bool replay = r.sequence != 0 && r.sequence <= last_sequence_[r.client];
  const std::string prior = catalog_.read(r.key);
  const kv::Reply reply = catalog_.apply(r);
  const auto key = catalog::parse_key(r.key);
  if (!key) return;
  if (replay) {
    ++replays_suppressed_;
    return;
  }
  last_sequence_[r.client] = r.sequence;
  if (r.kind != kv::OpKind::kPut && !(r.kind == kv::OpKind::kCas && reply.cas_ok)) return;
  ++catalog_writes_;
  const NodeId m = key->node;
  if (r.value == prior)
    sim_.report_violation(server, "catalog_write_once",
                          fmt::format("{} = '{}' applied at index {}, but the catalog already held it (client {:#x}, "
                                      "sequence {:#x})",
                                      r.key, r.value, index, r.client, r.sequence));
  if (key->kind == "node" && r.value == catalog::kDeregistered && m < left_.size() && !left_[m])
    sim_.report_violation(server, "deregistered_only_if_left",
                          fmt::format("{} deregistered at index {}, but it never left the gossip pool ({})",
                                      sim_.node_name(m), index, down_.count(m) ? "it crashed" : "it is running"));
  if (key->kind == "node" && r.value == catalog::kDeregistered)
    for (const auto& name : params_.services)
      if (const std::string status = catalog_.read(catalog::service_key(m, name)); !status.empty())
        sim_.report_violation(server, "services_removed_with_node",
                              fmt::format("{} deregistered at index {} with its service {} still in the catalog ({})",
                                          sim_.node_name(m), index, name, status));
  if (key->kind == "service" && !r.value.empty()) {
    const auto ran = std::find(params_.services.begin(), params_.services.end(), key->service);
    if (params_.is_server(m) || m >= sim_.node_count() || ran == params_.services.end())
      sim_.report_violation(server, "services_only_where_run",
                            fmt::format("{} = '{}' applied at index {}, but {} runs no service {} (the agents run: {})",
                                        r.key, r.value, index,
                                        m < sim_.node_count() ? sim_.node_name(m) : std::to_string(m), key->service,
                                        fmt::join(params_.services, ", ")));
    if (catalog_.read(catalog::node_key(m)) == catalog::kDeregistered)
      sim_.report_violation(server, "services_removed_with_node",
                            fmt::format("{} = '{}' applied at index {}, but the catalog holds {} deregistered", r.key,
                                        r.value, index, m < sim_.node_count() ? sim_.node_name(m) : std::to_string(m)));
    // The first commit of each check transition the timeline scripted.
    const bool passing = r.value == catalog::kPassing;
    const auto service = static_cast<std::size_t>(ran - params_.services.begin());
    for (const auto& f : params_.failing_checks) {
      if (f.node != m || ran == params_.services.end() || !f.covers(service)) continue;
      const Time changed = passing ? f.until : f.from;
      if (changed < 0 || changed > t) continue;
      if (!check_seen_.insert({m, service, changed}).second) continue;
      check_to_catalog_ns_.push_back(static_cast<double>(t - changed));
    }
  }
  if (key->kind == "health" && r.value == catalog::kCritical) {
    auto it = down_.find(m);
    if (it == down_.end()) {
      if (sim_.status(m) == NodeStatus::kRunning) ++false_criticals_;  // a paused node is rightly critical
    } else if (it->second.was_passing && !it->second.reported) {
      it->second.reported = true;
      crash_to_critical_ns_.push_back(static_cast<double>(t - it->second.since));
      if (it->second.learned < 0 && it->second.first_server_learned >= 0) {
        // The leader that committed it learned it before it led.
        it->second.learned = it->second.first_server_learned;
        detect_ns_.push_back(static_cast<double>(it->second.learned - it->second.since));
      }
      if (it->second.learned >= 0) commit_ns_.push_back(static_cast<double>(t - it->second.learned));
    }
  }
}

template <class P>
void ConsulObserverFor<P>::before_crash(Time t, NodeId node) {
  if (!params_.is_server(node)) return;
  raft_.before_crash(t, node);
  // A leader lost with reconciliation writes of its own not yet answered:
  // they commit under the next leader or are cut, and it must redo them.
  if (sim_.node(node).writes_in_flight() > 0) ++reconciles_interrupted_;
}

template <class P>
void ConsulObserverFor<P>::on_crash(Time t, NodeId node) {
  if (params_.is_server(node)) raft_.on_crash(t, node);
  server_fault(t, node);
  seen_[node] = Seen{};  // a fresh node stands in for it until it restarts (seed_started)
  Down d{t, -1, -1, catalog_.read(consul::catalog::health_key(node)) == consul::catalog::kPassing, false, {}};
  // What each server's SWIM holds of it now: the baseline its news of the
  // death changes (a crashed server's is its blank node's, seeded again at
  // its restart).
  d.seen_by.resize(params_.servers);
  for (NodeId s = 0; s < params_.servers; ++s) d.seen_by[s] = sim_.node(s).swim().member(node);
  down_[node] = std::move(d);
}

template <class P>
void ConsulObserverFor<P>::on_restart(Time t, NodeId node) {
  if (params_.is_server(node)) started_at_[node] = t;
  if (params_.is_server(node)) raft_.on_restart(t, node);
  server_fault(t, node);
  down_.erase(node);
  started_.push_back(node);  // started after this hook: seeded after the event
}

template <class P>
void ConsulObserverFor<P>::on_pause(Time t, NodeId node) {
  server_fault(t, node);
}
template <class P>
void ConsulObserverFor<P>::on_resume(Time t, NodeId node) {
  server_fault(t, node);
}

template <class P>
void ConsulObserverFor<P>::on_connectivity_change(Time t) {
  raft_.on_connectivity_change(t);
  last_server_fault_ = t;
}

template <class P>
void ConsulObserverFor<P>::after_event(Time t) {
  if (!started_.empty()) seed_started();
  const NodeId acting = sim_.acting_node();
  if (sim_.is_running(acting) && sim_.node(acting).inputs() != seen_[acting].inputs) look(t, acting);
  raft_.after_event(t);
  for (NodeId s = 0; s < params_.servers; ++s)
    if (deposed_since_[s] >= 0 && (!sim_.is_running(s) || sim_.node(s).raft()->role() != raft::Role::kLeader)) {
      default_read_stale_ns_.push_back(static_cast<double>(t - deposed_since_[s]));
      deposed_since_[s] = -1;
    }
  if (down_.empty() || t < next_check_) return;
  next_check_ = t + 100 * kMillisecond;
  // With no leader, or a leader that lost its quorum (it may not know yet:
  // this Raft has no CheckQuorum), the catalog is read-only.
  if (current_leader() == kNoNode || !leader_has_quorum()) last_leaderless_ = t;
  const Time from = std::max(last_server_fault_, last_leaderless_);
  for (auto& [m, d] : down_) {
    if (t - std::max(d.since, from) <= bound_) continue;
    if (catalog_.read(consul::catalog::health_key(m)) != consul::catalog::kPassing) continue;
    sim_.report_violation(m, "catalog_healthy_but_dead",
                          fmt::format("{} crashed at {} ms and is still passing in the catalog {} ms later (bound {} ms)",
                                      sim_.node_name(m), d.since / kMillisecond, (t - d.since) / kMillisecond,
                                      bound_ / kMillisecond));
    return;
  }
}

template <class P>
bool ConsulObserverFor<P>::leader_has_quorum() const {
  const NodeId leader = current_leader();
  if (leader == kNoNode || sim_.status(leader) != NodeStatus::kRunning) return false;
  const Connectivity& net = sim_.connectivity();
  NodeId reachable = 0;
  for (NodeId s = 0; s < params_.servers; ++s)
    if (s == leader || (sim_.status(s) == NodeStatus::kRunning && !net.blocked_now(leader, s) && !net.blocked_now(s, leader)))
      ++reachable;
  return 2 * reachable > params_.servers;
}

template <class P>
void ConsulObserverFor<P>::finish(Time end, Metrics& metrics) {
  namespace catalog = consul::catalog;
  raft_.finish(end, metrics);
  for (NodeId s = 0; s < params_.servers; ++s)
    if (deposed_since_[s] >= 0) default_read_stale_ns_.push_back(static_cast<double>(end - deposed_since_[s]));
  set_series(metrics, "stale_read_lag_ns", stale_read_lag_ns_);
  set_series(metrics, "default_read_stale_ns", default_read_stale_ns_);
  std::uint64_t healthy_but_down = 0, critical_but_running = 0;
  for (const auto& [m, d] : down_)
    if (catalog_.read(catalog::health_key(m)) == catalog::kPassing) ++healthy_but_down;
  for (NodeId m = 0; m < sim_.node_count(); ++m)
    if (sim_.status(m) == NodeStatus::kRunning && catalog_.read(catalog::health_key(m)) == catalog::kCritical)
      ++critical_but_running;
  set_scalar(metrics, "critical_but_running", static_cast<double>(critical_but_running));
  // At the end: services in the catalog, and those whose check it holds critical.
  std::uint64_t services_registered = 0, services_critical = 0;
  for (NodeId m = params_.servers; m < sim_.node_count(); ++m)
    for (const auto& name : params_.services) {
      const std::string status = catalog_.read(catalog::service_key(m, name));
      services_registered += status.empty() ? 0 : 1;
      services_critical += status == catalog::kCritical ? 1 : 0;
    }
  set_scalar(metrics, "services_registered", static_cast<double>(services_registered));
  set_scalar(metrics, "services_critical", static_cast<double>(services_critical));
  set_series(metrics, "check_to_catalog_ns", check_to_catalog_ns_);
  set_series(metrics, "detect_ns", detect_ns_);
  set_series(metrics, "commit_ns", commit_ns_);
  set_series(metrics, "crash_to_critical_ns", crash_to_critical_ns_);
  set_scalar(metrics, "false_criticals", static_cast<double>(false_criticals_));
  set_scalar(metrics, "catalog_writes", static_cast<double>(catalog_writes_));
  set_scalar(metrics, "replays_suppressed", static_cast<double>(replays_suppressed_));
  set_scalar(metrics, "reconciles_interrupted", static_cast<double>(reconciles_interrupted_));
  set_scalar(metrics, "healthy_but_down", static_cast<double>(healthy_but_down));
  if (params_.read_interval > 0) {
    set_series(metrics, "consistent_read_missed_entries", read_missed_entries_[0]);
    set_series(metrics, "default_read_missed_entries", read_missed_entries_[1]);
    set_series(metrics, "default_read_missed_ns", read_missed_ns_[1]);
    set_series(metrics, "stale_read_missed_entries", read_missed_entries_[2]);
    set_series(metrics, "stale_read_missed_ns", read_missed_ns_[2]);
    set_scalar(metrics, "reads_redirected", static_cast<double>(reads_redirected_));
    set_scalar(metrics, "reads_answered", static_cast<double>(reads_answered_));
  }
  if (params_.forward_to_leader) set_scalar(metrics, "rpcs_forwarded", static_cast<double>(rpcs_forwarded_));
}

}  // namespace faultline

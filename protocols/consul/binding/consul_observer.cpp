#include "protocols/consul/binding/consul_observer.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocols/consul/catalog.hpp"
#include "protocols/consul/binding/consul_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

namespace catalog = consul::catalog;

bool ConsulObserver::Servers::is_running(NodeId node) const { return sim_.is_running(node); }
const Connectivity& ConsulObserver::Servers::connectivity() const { return sim_.connectivity(); }
std::string ConsulObserver::Servers::node_name(NodeId node) const { return sim_.node_name(node); }
std::uint64_t ConsulObserver::Servers::syncs_begun(NodeId node) const { return sim_.syncs_begun(node); }
std::uint64_t ConsulObserver::Servers::syncs_completed(NodeId node) const { return sim_.syncs_completed(node); }
NodeId ConsulObserver::Servers::acting_node() const {
  const NodeId acting = sim_.acting_node();
  return acting < servers_ ? acting : kNoNode;
}
const raft::RaftStateView& ConsulObserver::Servers::view(NodeId node) const {
  views_[node].bind(*sim_.node(node).raft());  // the node object is replaced in place on a crash
  return views_[node];
}
void ConsulObserver::Servers::report_violation(NodeId node, std::string invariant, std::string message) {
  sim_.report_violation(node, std::move(invariant), std::move(message));
}

Duration ConsulObserver::healthy_bound(const consul::Params& p, NodeId nodes) {
  if (p.healthy_bound > 0) return p.healthy_bound;
  // (A SwimNode of its own: the simulation's nodes are not built yet.)
  Duration bound = 0;
  for (NodeId member : {NodeId{0}, p.servers}) {  // a server, an agent
    const swim::SwimParams& swim = p.swim_of(member);
    const Duration longest_suspicion = swim::SwimNode(0, nodes, swim).suspicion_timeout_of(kNoNode);
    bound = std::max(bound, longest_suspicion + 25 * swim.probe_interval + 10 * kSecond);
  }
  return bound;
}

ConsulObserver::ConsulObserver(const Scenario& scenario, const consul::Params& params, Simulation<ConsulProtocol>& sim)
    : sim_(sim),
      params_(params),
      servers_(sim, params.servers),
      raft_(servers_, params.servers),
      left_(scenario.node_count(), false),
      bound_(healthy_bound(params, scenario.node_count())),
      started_at_(params.servers, 0),
      deposed_since_(params.servers, -1) {}

void ConsulObserver::on_protocol_event(Time t, NodeId node, std::string_view kind,
                                       std::initializer_list<TraceField> fields) {
  if (!params_.is_server(node)) {
    if (kind == "leave") left_[node] = true;
    else if (kind == "join") left_[node] = false;
    else if (kind == "read") reads_issued_[{node, static_cast<std::uint64_t>(field_number(fields, "seq"))}] = catalog_applied_;
    else if (kind == "read_answered") ++reads_answered_;
    return;
  }
  if (kind == "read_served") return on_read_served(t, fields);
  if (kind == "forward") {
    ++rpcs_forwarded_;
    return;
  }
  if (kind == "read_redirected") {
    ++reads_redirected_;
    return;
  }
  raft_.on_protocol_event(t, node, kind, fields);
  if (kind == "apply") {
    const auto index = static_cast<std::uint64_t>(field_number(fields, "index"));
    // Stale reads: a server applying an entry some server applied earlier
    // would have answered a stale read without it until now (one that was
    // up when it was first applied; a restarted one is catching up).
    if (index >= 1 && index <= first_applied_at_.size() && started_at_[node] <= first_applied_at_[index - 1])
      stale_read_lag_ns_.push_back(static_cast<double>(t - first_applied_at_[index - 1]));
    apply_committed(t, node, index);
  } else if (kind == "dead") {
    // Detection ends when the leader's SWIM holds it dead (the server that
    // can act on it); a server that learns it first and leads later counts
    // from the first server's news (see commit_ns in the header).
    auto it = down_.find(static_cast<NodeId>(field_number(fields, "member")));
    if (it == down_.end()) return;
    if (it->second.first_server_learned < 0) it->second.first_server_learned = t;
    const raft::RaftNode* r = sim_.node(node).raft();
    if (it->second.learned < 0 && r->role() == raft::Role::kLeader) {
      it->second.learned = t;
      if (it->second.was_passing) detect_ns_.push_back(static_cast<double>(t - it->second.since));
    }
  } else if (kind == "leave") {
    left_[node] = true;
  } else if (kind == "join") {
    left_[node] = false;
  }
}

void ConsulObserver::on_read_served(Time t, std::initializer_list<TraceField> fields) {
  // What the read missed: entries committed (first applied by some server)
  // beyond the index the server had applied when it answered, and since
  // when (the first of them).
  const auto agent = static_cast<NodeId>(field_number(fields, "agent"));
  const auto sequence = static_cast<std::uint64_t>(field_number(fields, "seq"));
  const auto index = static_cast<std::uint64_t>(field_number(fields, "index"));
  const auto m = static_cast<std::size_t>(field_number(fields, "mode"));  // consul::ReadMode
  if (m > 2) return;
  const std::uint64_t missed = catalog_applied_ > index ? catalog_applied_ - index : 0;
  read_missed_entries_[m].push_back(static_cast<double>(missed));
  read_missed_ns_[m].push_back(missed > 0 ? static_cast<double>(t - first_applied_at_[index]) : 0.0);
  auto it = reads_issued_.find({agent, sequence});
  if (it == reads_issued_.end()) return;
  // A consistent read is linearizable: it reflects every write committed
  // before it was issued (Consul's consistent mode; Raft thesis 6.4).
  if (m == 0 && index < it->second)
    sim_.report_violation(agent, "consistent_read_fresh",
                          fmt::format("a consistent read by {} (sequence {:#x}) was answered at index {}, but index {} "
                                      "was committed before it was issued",
                                      sim_.node_name(agent), sequence, index, it->second));
  reads_issued_.erase(it);
}

void ConsulObserver::apply_committed(Time t, NodeId server, std::uint64_t index) {
  // Each index once, in log order: the first server to apply it.
  if (index != catalog_applied_ + 1) return;
  catalog_applied_ = index;
  first_applied_at_.push_back(t);
  const raft::Entry& e = sim_.node(server).raft()->log().at(index);  // applied now, compacted later
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

void ConsulObserver::before_crash(Time t, NodeId node) {
  if (!params_.is_server(node)) return;
  raft_.before_crash(t, node);
  // A leader lost with reconciliation writes of its own not yet answered:
  // they commit under the next leader or are cut, and it must redo them.
  if (sim_.node(node).writes_in_flight() > 0) ++reconciles_interrupted_;
}

void ConsulObserver::on_crash(Time t, NodeId node) {
  if (params_.is_server(node)) raft_.on_crash(t, node);
  server_fault(t, node);
  down_[node] = Down{t, -1, -1, catalog_.read(catalog::health_key(node)) == catalog::kPassing, false};
}

void ConsulObserver::on_restart(Time t, NodeId node) {
  if (params_.is_server(node)) started_at_[node] = t;
  if (params_.is_server(node)) raft_.on_restart(t, node);
  server_fault(t, node);
  down_.erase(node);
}

void ConsulObserver::on_pause(Time t, NodeId node) { server_fault(t, node); }
void ConsulObserver::on_resume(Time t, NodeId node) { server_fault(t, node); }

void ConsulObserver::on_connectivity_change(Time t) {
  raft_.on_connectivity_change(t);
  last_server_fault_ = t;
}

void ConsulObserver::after_event(Time t) {
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
    if (catalog_.read(catalog::health_key(m)) != catalog::kPassing) continue;
    sim_.report_violation(m, "catalog_healthy_but_dead",
                          fmt::format("{} crashed at {} ms and is still passing in the catalog {} ms later (bound {} ms)",
                                      sim_.node_name(m), d.since / kMillisecond, (t - d.since) / kMillisecond,
                                      bound_ / kMillisecond));
    return;
  }
}

bool ConsulObserver::leader_has_quorum() const {
  const NodeId leader = current_leader();
  if (leader == kNoNode || sim_.status(leader) != NodeStatus::kRunning) return false;
  const Connectivity& net = sim_.connectivity();
  NodeId reachable = 0;
  for (NodeId s = 0; s < params_.servers; ++s)
    if (s == leader || (sim_.status(s) == NodeStatus::kRunning && !net.blocked_now(leader, s) && !net.blocked_now(s, leader)))
      ++reachable;
  return 2 * reachable > params_.servers;
}

void ConsulObserver::finish(Time end, Metrics& metrics) {
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

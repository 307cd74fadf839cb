#include <algorithm>
#include <cmath>

#include "protocols/gossip/binding/gossip_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

GossipObserver::GossipObserver(const Scenario& scenario, const gossip::DisseminationParams& params,
                               Simulation<GossipProtocol>& sim)
    : sim_(sim), params_(params), keys_(gossip::kMaxKeys), running_(scenario.node_count()) {
  const auto& when = scenario.stop.when;
  stop_when_all_informed_ = std::find(when.begin(), when.end(), "all_informed") != when.end();
}

void GossipObserver::on_protocol_event(Time, NodeId, std::string_view kind, std::initializer_list<TraceField>) {
  if (kind == "removed") ++removed_;
}

void GossipObserver::look(Time t, NodeId node) {
  const gossip::DisseminationNode& n = sim_.node(node);
  // In key order, the order a node learns a message's items in.
  for (std::uint16_t key = 0; key < keys_.size(); ++key) {
    const std::uint32_t seen = keys_[key].held.empty() ? 0 : keys_[key].held[node];
    if (n.version(key) != seen) learned(t, node, key, n.version(key), injecting_ == node);
  }
}

void GossipObserver::learned(Time t, NodeId node, std::uint16_t key, std::uint32_t version, bool injected) {
  if (reported_.node == node && reported_.key == key && reported_.version == version) return;
  KeyState& k = keys_[key];
  if (k.held.empty()) k.held.assign(sim_.node_count());
  if (injected) {
    ++injected_;
    if (version > k.latest) {
      if (k.latest == 0 || k.first_carried_at >= 0) ++awaiting_first_carry_;
      k.latest = version;
      k.injected_at = t;
      k.first_carried_at = -1;
      k.informed_rounds_sum = 0;
      k.informed_by_gossip = 0;
      k.last_informed_round = 0;
      k.reached_99 = k.reached_full = false;
      k.holders = 0;
    }
  } else if (version > k.latest) {
    reported_ = {node, key, version};
    sim_.report_violation(node, "version_was_written",
                          fmt::format("{} holds version {} of key {}, but only versions up to {} were written",
                                      sim_.node_name(node), version, key, k.latest));
    return;
  }
  if (version <= k.held[node]) {
    reported_ = {node, key, version};
    sim_.report_violation(node, "version_monotonic",
                          fmt::format("{} went from version {} to {} of key {}", sim_.node_name(node), k.held[node],
                                      version, key));
    return;
  }
  k.held.set(node, version);
  if (version == k.latest) {
    ++k.holders;
    if (!injected) {
      const double round = rounds_since_first_carry(k, t);
      k.informed_rounds_sum += round;
      ++k.informed_by_gossip;
      k.last_informed_round = std::max(k.last_informed_round, round);
    }
  }
  check_progress(t, key);
}

void GossipObserver::note_first_carry(Time t, const gossip::Message& m) {
  for (std::uint8_t i = 0; i < m.count; ++i) {
    if (m.items[i].key >= keys_.size()) continue;
    KeyState& k = keys_[m.items[i].key];
    if (k.first_carried_at < 0 && k.latest != 0 && m.items[i].version == k.latest) {
      k.first_carried_at = t;
      --awaiting_first_carry_;
    }
  }
}

double GossipObserver::rounds_since_first_carry(const KeyState& k, Time t) const {
  if (k.first_carried_at < 0) return 0;
  return std::ceil(static_cast<double>(t - k.first_carried_at) / static_cast<double>(params_.period));
}

void GossipObserver::check_progress(Time t, std::uint16_t key) {
  KeyState& k = keys_[key];
  if (k.latest == 0) return;
  const Duration elapsed = t - k.injected_at;
  if (!k.reached_99 && static_cast<double>(k.holders) >= 0.99 * static_cast<double>(running_)) {
    k.reached_99 = true;
    time_to_99_.push_back(static_cast<double>(elapsed));
  }
  if (!k.reached_full && k.holders >= running_) {
    k.reached_full = true;
    time_to_full_.push_back(static_cast<double>(elapsed));
    rounds_to_full_.push_back(rounds_since_first_carry(k, t));
    periods_to_full_.push_back(std::ceil(static_cast<double>(elapsed) / static_cast<double>(params_.period)));
  }
  if (stop_when_all_informed_ && injected_ == params_.injections.size()) {
    for (const auto& other : keys_)
      if (other.latest != 0 && other.holders < running_) return;
    sim_.request_stop("condition:all_informed");
  }
}

void GossipObserver::on_crash(Time t, NodeId node) {
  --running_;
  for (std::uint16_t key = 0; key < keys_.size(); ++key) {
    KeyState& k = keys_[key];
    if (k.held.empty()) continue;
    if (k.latest != 0 && k.held[node] == k.latest) --k.holders;
    k.held.set(node, 0);  // volatile state: gone
    check_progress(t, key);
  }
}

void GossipObserver::on_restart(Time, NodeId) { ++running_; }

void GossipObserver::finish(Time, Metrics& metrics) {
  std::vector<double> residue, informed_mean, last_informed;
  for (const auto& k : keys_) {
    if (k.latest != 0 && running_ > 0)
      residue.push_back(1.0 - static_cast<double>(k.holders) / static_cast<double>(running_));
    if (k.informed_by_gossip > 0) {
      informed_mean.push_back(k.informed_rounds_sum / static_cast<double>(k.informed_by_gossip));
      last_informed.push_back(k.last_informed_round);
    }
  }
  std::uint64_t redundant = 0;
  for (NodeId n = 0; n < sim_.node_count(); ++n) redundant += sim_.node(n).redundant_deliveries();
  const double nodes = static_cast<double>(sim_.node_count());
  set_series(metrics, "time_to_full_ns", time_to_full_);
  set_series(metrics, "rounds_to_full", rounds_to_full_);
  set_series(metrics, "periods_to_full", periods_to_full_);
  set_series(metrics, "time_to_99pct_ns", time_to_99_);
  set_series(metrics, "residue", residue);
  set_series(metrics, "rounds_to_informed_mean", informed_mean);
  set_series(metrics, "rounds_to_last_informed", last_informed);
  set_scalar(metrics, "messages_per_node", static_cast<double>(sim_.messages_sent()) / nodes);
  set_scalar(metrics, "update_messages_per_node", static_cast<double>(update_messages_) / nodes);
  set_scalar(metrics, "bytes_per_node", static_cast<double>(sim_.bytes_sent()) / nodes);
  set_scalar(metrics, "redundant_deliveries", static_cast<double>(redundant));
  set_scalar(metrics, "removed", static_cast<double>(removed_));
}

}  // namespace faultline

#include "protocols/gossip/binding/swim_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

namespace {

// The network delivers every message between running processes: only then is
// a false "dead" a bug rather than bad luck.
bool reliable(const Scenario& s) {
  if (s.network.defaults.loss > 0) return false;
  for (const auto& o : s.network.overrides)
    if (o.loss && *o.loss > 0) return false;
  for (const auto& f : s.faults)
    if (f.kind == FaultEvent::Kind::kPause || f.kind == FaultEvent::Kind::kPartition ||
        f.kind == FaultEvent::Kind::kOneWay || f.kind == FaultEvent::Kind::kIsolate || f.kind == FaultEvent::Kind::kDrift)
      return false;
  for (const auto& n : s.nemesis)
    if (n.kind != NemesisSpec::Kind::kCrash) return false;
  return true;
}

}  // namespace

SwimObserver::SwimObserver(const Scenario& scenario, const swim::SwimParams& params, Simulation<SwimProtocol>& sim)
    : sim_(sim),
      strict_accuracy_(reliable(scenario)),
      params_(params),
      started_at_(scenario.node_count(), 0),
      earlier_lives_incarnation_(scenario.node_count(), -1),
      gone_at_(scenario.node_count(), -1) {}

void SwimObserver::check_incarnation(NodeId node) {
  const std::uint32_t now = sim_.node(node).incarnation();
  if (earlier_lives_incarnation_[node] >= 0 && now <= earlier_lives_incarnation_[node])
    sim_.report_violation(node, "incarnation_monotonic",
                          fmt::format("{} runs at incarnation {}, but an earlier life already ran at {}",
                                      sim_.node_name(node), now, earlier_lives_incarnation_[node]));
}

void SwimObserver::before_crash(Time t, NodeId node) {
  // The node is still its old self here (in on_crash it is already a fresh one).
  if (sim_.node(node).active()) gone_at_[node] = t;
  check_incarnation(node);
  earlier_lives_incarnation_[node] =
      std::max<std::int64_t>(earlier_lives_incarnation_[node], sim_.node(node).incarnation());
}

Duration SwimObserver::convergence_bound(const swim::SwimParams& p, Duration longest_suspicion,
                                         std::uint32_t retransmit_limit) {
  const Duration period = p.probe_interval * std::max<std::uint32_t>(1, p.awareness_max);
  constexpr std::uint32_t kUnprobedPeriods = 20;  // e^-20: no member probed the failed one
  return longest_suspicion + period * (kUnprobedPeriods + 1 + 2 * retransmit_limit);
}

std::uint64_t SwimObserver::unconverged_pairs(Time end) const {
  const NodeId n = sim_.node_count();
  const Duration bound = convergence_bound(params_, sim_.node(0).suspicion_timeout_of(kNoNode), sim_.node(0).retransmit_limit());
  auto too_old = [&](Time since) { return end - std::max(since, last_fault_change_) > bound; };
  auto member_now = [&](NodeId m) { return sim_.is_running(m) && sim_.node(m).active(); };
  // Members that crashed or left (a paused member is neither: skipped).
  std::vector<NodeId> gone;
  for (NodeId m = 0; m < n; ++m)
    if (gone_at_[m] >= 0 && sim_.status(m) != NodeStatus::kPaused && !member_now(m)) gone.push_back(m);
  // Late joiners, listed once: scanning params_.late_joiner (one flag per
  // member) for every member made this O(N^2), 69% of a 200,000-member run
  // and most of a million-member one.
  std::vector<NodeId> late;
  for (NodeId m = 0; m < n && m < params_.late_joiner.size(); ++m)
    if (params_.late_joiner[m]) late.push_back(m);
  std::uint64_t wrong = 0;
  for (NodeId o = 0; o < n; ++o) {
    if (!member_now(o)) continue;
    const swim::SwimNode& view = sim_.node(o);
    // A running member held dead, left or unknown. Only entries that differ
    // from the base view can say dead or left; the base view says unknown
    // only of late joiners.
    for (const auto& d : view.view_deltas())
      if (d.member != o && member_now(d.member) &&
          (d.state == swim::MemberState::kDead || d.state == swim::MemberState::kLeft ||
           d.state == swim::MemberState::kUnknown) &&
          too_old(std::max(d.since, started_at_[o])))
        ++wrong;
    for (NodeId m : late)
      if (m != o && member_now(m) && view.member(m).state == swim::MemberState::kUnknown &&
          view.member(m).since == 0 && too_old(started_at_[o]))
        ++wrong;
    // A crashed or departed member still held alive or suspect, by a member
    // that was up when it went.
    for (NodeId g : gone) {
      if (g == o || started_at_[o] > gone_at_[g]) continue;
      const swim::MemberState s = view.member(g).state;
      if ((s == swim::MemberState::kAlive || s == swim::MemberState::kSuspect) && too_old(gone_at_[g])) ++wrong;
    }
  }
  return wrong;
}

bool SwimObserver::everyone_aware(const Watch& w, NodeId subject) const {
  for (NodeId n = 0; n < sim_.node_count(); ++n) {
    if (n == subject || !sim_.is_running(n) || !sim_.node(n).active()) continue;
    if (!w.aware.count(n)) return false;
  }
  return true;
}

void SwimObserver::take_changes(Time t, NodeId node) {
  using Cause = swim::ViewChange::Cause;
  for (const swim::ViewChange& c : sim_.node(node).changes()) {
    switch (c.cause) {
      case Cause::kRefuted:
        ++refutations_;
        check_incarnation(node);
        break;
      case Cause::kRestarted: check_incarnation(node); break;  // on_start chose its new incarnation
      case Cause::kJoined:
        joined_[node] = Watch{t, false, false, {}};
        gone_at_[node] = -1;
        break;
      case Cause::kLeft: gone_at_[node] = t; break;
      case Cause::kLearned: learned(t, node, c); break;
    }
  }
}

// `node`'s entry for c.member took state c.state at incarnation c.incarnation.
void SwimObserver::learned(Time t, NodeId node, const swim::ViewChange& c) {
  const NodeId member = c.member;
  if (c.state == swim::MemberState::kSuspect) {
    auto it = crashed_.find(member);
    if (it != crashed_.end() && !it->second.first_suspect) {
      it->second.first_suspect = true;
      first_suspect_.push_back(static_cast<double>(t - it->second.since));
    }
  } else if (c.state == swim::MemberState::kDead) {
    // The death of an incarnation an earlier life of the member ran at is
    // true: that life ended in a crash. (A suspicion raised while it was down
    // can time out after it restarted, at a higher incarnation, before its
    // news reaches the suspecter: swarm, swim/join_storm.yaml seed 301974.)
    const bool this_life = static_cast<std::int64_t>(c.incarnation) > earlier_lives_incarnation_[member];
    if (this_life && sim_.is_running(member) && sim_.node(member).active()) {
      // One false death, however many members come to believe it.
      if (false_deaths_.insert({member, c.incarnation}).second)
        ++false_positives_;
      if (strict_accuracy_)
        sim_.report_violation(node, "no_false_dead",
                              fmt::format("{} declared {} dead, but it is running and the network is reliable",
                                          sim_.node_name(node), sim_.node_name(member)));
    }
    auto it = crashed_.find(member);
    if (it != crashed_.end()) {
      Watch& w = it->second;
      if (!w.first_dead) {
        w.first_dead = true;
        dead_.push_back(static_cast<double>(t - w.since));
      }
      w.aware.insert(node);
      if (everyone_aware(w, member)) {
        all_aware_.push_back(static_cast<double>(t - w.since));
        crashed_.erase(it);
      }
    }
  } else if (c.state == swim::MemberState::kAlive) {
    auto it = joined_.find(member);
    if (it != joined_.end()) {
      it->second.aware.insert(node);
      if (everyone_aware(it->second, member)) {
        join_aware_.push_back(static_cast<double>(t - it->second.since));
        joined_.erase(it);
      }
    }
  }
}

void SwimObserver::on_crash(Time t, NodeId node) {
  last_fault_change_ = t;
  crashed_[node] = Watch{t, false, false, {}};
  // Fewer nodes to wait for in the other watches.
  for (auto* watches : {&crashed_, &joined_})
    for (auto it = watches->begin(); it != watches->end();) {
      if (it->first != node && everyone_aware(it->second, it->first)) {
        if (watches == &crashed_) all_aware_.push_back(static_cast<double>(t - it->second.since));
        else join_aware_.push_back(static_cast<double>(t - it->second.since));
        it = watches->erase(it);
      } else {
        ++it;
      }
    }
}

void SwimObserver::on_restart(Time t, NodeId node) {
  last_fault_change_ = t;
  started_at_[node] = t;
  gone_at_[node] = -1;
  crashed_.erase(node);
}

void SwimObserver::finish(Time end, Metrics& metrics) {
  set_series(metrics, "detect_first_suspect_ns", first_suspect_);
  set_series(metrics, "detect_dead_ns", dead_);
  set_series(metrics, "detect_all_aware_ns", all_aware_);
  set_series(metrics, "join_all_aware_ns", join_aware_);
  set_scalar(metrics, "false_positives", static_cast<double>(false_positives_));
  set_scalar(metrics, "refutations", static_cast<double>(refutations_));
  double entries = 0;
  for (NodeId n = 0; n < sim_.node_count(); ++n) entries += static_cast<double>(sim_.node(n).view_entries());
  set_scalar(metrics, "view_entries_per_node", entries / sim_.node_count());
  set_scalar(metrics, "unconverged_pairs", static_cast<double>(unconverged_pairs(end)));
}

}  // namespace faultline

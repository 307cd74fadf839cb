#include "sim/bindings/swim_protocol.hpp"
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

SwimObserver::SwimObserver(const Scenario& scenario, const swim::SwimParams&, Simulation<SwimProtocol>& sim)
    : sim_(sim), strict_accuracy_(reliable(scenario)) {}

bool SwimObserver::everyone_aware(const Watch& w, NodeId subject) const {
  for (NodeId n = 0; n < sim_.node_count(); ++n) {
    if (n == subject || !sim_.is_running(n) || !sim_.node(n).active()) continue;
    if (!w.aware.count(n)) return false;
  }
  return true;
}

void SwimObserver::on_protocol_event(Time t, NodeId node, std::string_view kind,
                                     std::initializer_list<TraceField> fields) {
  if (kind == "refute") {
    ++refutations_;
    return;
  }
  if (kind == "join") {
    joined_[node] = Watch{t, false, false, {}};
    return;
  }
  const auto member = static_cast<NodeId>(field_number(fields, "member"));
  if (kind == "suspect") {
    auto it = crashed_.find(member);
    if (it != crashed_.end() && !it->second.first_suspect) {
      it->second.first_suspect = true;
      first_suspect_.push_back(static_cast<double>(t - it->second.since));
    }
  } else if (kind == "dead") {
    if (sim_.is_running(member) && sim_.node(member).active()) {
      // One false death, however many members come to believe it.
      if (false_deaths_.insert({member, static_cast<std::uint32_t>(field_number(fields, "incarnation"))}).second)
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
  } else if (kind == "alive") {
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

void SwimObserver::on_restart(Time, NodeId node) { crashed_.erase(node); }

void SwimObserver::finish(Time, Metrics& metrics) {
  set_series(metrics, "detect_first_suspect_ns", first_suspect_);
  set_series(metrics, "detect_dead_ns", dead_);
  set_series(metrics, "detect_all_aware_ns", all_aware_);
  set_series(metrics, "join_all_aware_ns", join_aware_);
  set_scalar(metrics, "false_positives", static_cast<double>(false_positives_));
  set_scalar(metrics, "refutations", static_cast<double>(refutations_));
  double entries = 0;
  for (NodeId n = 0; n < sim_.node_count(); ++n) entries += static_cast<double>(sim_.node(n).view_entries());
  set_scalar(metrics, "view_entries_per_node", entries / sim_.node_count());
}

}  // namespace faultline

#include "sim/bindings/raft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

RaftObserver::RaftObserver(const Scenario&, const raft::Params&, Simulation<RaftProtocol>& sim) : sim_(sim) {}

void RaftObserver::on_protocol_event(Time t, NodeId node, std::string_view kind,
                                     std::initializer_list<TraceField> fields) {
  if (kind == "start") {
    const auto term = static_cast<std::uint64_t>(field_number(fields, "term"));
    if (auto it = term_before_crash_.find(node); it != term_before_crash_.end() && term < it->second)
      sim_.report_violation(node, "term_monotonic",
                            fmt::format("{} restarted with term {}, but was at term {} when it crashed: its durable "
                                        "state lost the term (and the vote that goes with it)",
                                        sim_.node_name(node), term, it->second));
  } else if (kind == "candidate") {
    ++elections_;
    term_had_candidate_[static_cast<std::uint64_t>(field_number(fields, "term"))] = true;
  } else if (kind == "leader") {
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
    for (std::size_t i = 1; i <= applied_.size(); ++i) {
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
    leaders_.elected(t, node, term);
  } else if (kind == "follower") {
    leaders_.left(t, node);
  } else if (kind == "apply") {
    const auto index = static_cast<std::size_t>(field_number(fields, "index"));
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
    leaders_.committed(t, term);
  }
}

void RaftObserver::before_crash(Time, NodeId node) { term_before_crash_[node] = sim_.node(node).current_term(); }

void RaftObserver::on_crash(Time t, NodeId node) { leaders_.left(t, node); }

void RaftObserver::on_connectivity_change(Time t) {
  leaders_.connectivity_changed(t, sim_.connectivity(), sim_.node_count());
}

void RaftObserver::finish(Time, Metrics& metrics) {
  std::uint64_t split = 0;
  for (const auto& [term, had] : term_had_candidate_)
    if (had && !leader_of_term_.count(term)) ++split;
  set_scalar(metrics, "elections", static_cast<double>(elections_));
  set_scalar(metrics, "split_votes", static_cast<double>(split));
  leaders_.finish(metrics);
}

}  // namespace faultline

// Who leads, and how long the cluster goes without a leader or without
// commits after losing one. Shared by the Raft and Multi-Paxos observers, so
// `faultline compare` measures both the same way.
//
// A leader is lost when it crashes, steps down, or is cut off from a
// majority (it cannot commit anything from then on, whatever it believes).
//
//   leader_changes     every time a node becomes leader
//   time_to_leader_ns  per leader loss: until a new leader is established, its
//                      authority acknowledged by a majority (established());
//                      a leader lost before that does not end the sample
//   unavailable_ns     per leader loss: until the new leader's first commit
// (definitions: docs/metrics.md)
#pragma once

#include <cstdint>
#include <vector>

#include "protocols/host/time.hpp"
#include "sim/network/connectivity.hpp"
#include "sim/run/run_result.hpp"

namespace faultline {

// Whether `node` exchanges messages both ways with a majority of `nodes`
// (itself included): a commit needs acknowledgements over two-way links.
inline bool reaches_majority(const Connectivity& links, NodeId node, NodeId nodes) {
  NodeId reachable = 0;
  for (NodeId j = 0; j < nodes; ++j)
    if (j == node || (!links.blocked_now(node, j) && !links.blocked_now(j, node))) ++reachable;
  return reachable >= nodes / 2 + 1;
}

class LeaderTimeline {
 public:
  // `node` became leader of `term` (Raft term, Paxos ballot round);
  // `cut_off`: it cannot reach a majority right now.
  void elected(Time t, NodeId node, std::uint64_t term, bool cut_off = false) {
    (void)t;
    ++leader_changes_;
    current_ = node;
    term_ = term;
    cut_off_ = cut_off;
    successor_ = lost_at_ >= 0;  // a successor to a lost leader, not yet established
  }
  // The current leader `node` of `term` is established: a majority
  // acknowledged its authority. Ends the time_to_leader_ns sample, if one runs.
  void established(Time t, NodeId node, std::uint64_t term) {
    if (node != current_ || term != term_ || !awaiting_established()) return;
    time_to_leader_.push_back(static_cast<double>(t - lost_at_));
    lost_at_ = -1;
    successor_ = false;
  }
  // A leader loss is waiting for its successor, elected since, to be established.
  bool awaiting_established() const { return lost_at_ >= 0 && successor_ && current_ != kNoNode && !cut_off_; }
  std::uint64_t term() const { return term_; }
  // `node` crashed or stepped down; only the current leader's loss counts.
  void left(Time t, NodeId node) {
    if (node != current_) return;
    successor_ = false;
    if (lost_at_ < 0) lost_at_ = t;
    if (unavailable_since_ < 0) unavailable_since_ = t;
    current_ = kNoNode;
    cut_off_ = false;
  }
  // A partition or heal: whether the current leader is now cut off from a
  // majority (see reaches_majority).
  void leader_cut_off(Time t, bool cut) {
    if (current_ == kNoNode) return;
    if (cut && !cut_off_) {
      // The majority has lost its leader, as if it had crashed.
      cut_off_ = true;
      successor_ = false;
      if (lost_at_ < 0) lost_at_ = t;
      if (unavailable_since_ < 0) unavailable_since_ = t;
    } else if (!cut && cut_off_) {
      // Back before anyone replaced it: no election to time.
      cut_off_ = false;
      lost_at_ = -1;
    }
  }
  // Something was committed under the current leader (for protocols whose
  // commits do not carry the leader's term, as Multi-Paxos's recovered slots).
  void committed_under_current(Time t) { committed(t, term_); }
  // An entry of `term` was committed (applied somewhere).
  void committed(Time t, std::uint64_t term) {
    if (unavailable_since_ >= 0 && current_ != kNoNode && !cut_off_ && term == term_) {
      unavailable_.push_back(static_cast<double>(t - unavailable_since_));
      unavailable_since_ = -1;
    }
  }
  NodeId current() const { return current_; }

  void finish(Metrics& metrics) const {
    set_scalar(metrics, "leader_changes", static_cast<double>(leader_changes_));
    set_series(metrics, "time_to_leader_ns", time_to_leader_);
    set_series(metrics, "unavailable_ns", unavailable_);
  }

 private:
  NodeId current_ = kNoNode;
  std::uint64_t term_ = 0;
  bool cut_off_ = false;         // current_ cannot reach a majority
  Time lost_at_ = -1;            // a loss waiting for a new leader to be established
  bool successor_ = false;       // current_ was elected after that loss (and has not been lost since)
  Time unavailable_since_ = -1;  // ... and for its first commit
  std::uint64_t leader_changes_ = 0;
  std::vector<double> time_to_leader_, unavailable_;
};

}  // namespace faultline

// What each Raft server's storage is known to hold, on a disk whose syncs
// take time (scenario `disk:`, sim/simulation/disk.ipp): the state the
// latest completed sync covered.
//
// Why: the crash checks (term_monotonic, applied_entry_lost) hold a
// restarted server to what it had before the crash. Without a disk model
// every sync completes as it begins, so that is its state at the crash. With
// one, a crash loses the writes of the syncs still under way, and with them
// the output they held back (Simulation::lose_outstanding_syncs): a candidate
// that raised its term and crashed before its disk had the term asked no one
// for a vote, and a follower may apply committed entries before its own copy
// is synced (committed means durable on a majority: TiKV's RFC "Apply Raft
// Log Before Persistence" makes the same argument). Such a server
// legitimately restarts below its state at the crash, and the checks must
// compare with what its disk was known to hold
// (swarm found both false reports on scenarios/raft/slow_disk.yaml: 161 of
// 1,000 seeds, docs/swarm.md).
//
// A sync covers every write made before it began; a correct server writes
// its term and entries before it syncs them. So what a sync makes durable is
// read from the server's view at the end of the event that began it (views
// are read between events only), and it is durable once the engine counts
// that sync completed (syncs complete in the order they began).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "protocols/host/time.hpp"
#include "protocols/raft/raft_state_view.hpp"

namespace faultline {

class SyncedStates {
 public:
  struct State {
    std::uint64_t sync = 0;  // the engine's count of syncs the server had begun
    raft::ViewTerm term = 0;
    raft::ViewIndex log_last = 0;
  };

  explicit SyncedStates(NodeId servers) : pending_(servers), durable_(servers) {}

  // `node` began a sync in the event under way.
  void begun(NodeId node) {
    if (node < pending_.size()) due_.push_back(node);
  }
  bool due() const { return !due_.empty(); }
  // At the end of that event: what each server in due() holds now is what
  // its latest sync covers. begun_of/completed_of(node): the engine's counts;
  // view_of(node): its view.
  template <class Begun, class Completed, class View>
  void record(Begun&& begun_of, Completed&& completed_of, View&& view_of) {
    for (NodeId node : due_) {
      const std::uint64_t sync = begun_of(node);
      auto& pending = pending_[node];
      if (!pending.empty() && pending.back().sync == sync) continue;  // noted twice in one event
      const raft::RaftStateView& v = view_of(node);
      pending.push_back({sync, v.current_term(), v.log_last_index()});
      promote(node, completed_of(node));
    }
    due_.clear();
  }
  // What `node`'s storage holds for sure, its engine having completed
  // `completed` syncs: the state its latest completed sync covered.
  const State& durable(NodeId node, std::uint64_t completed) {
    promote(node, completed);
    return durable_[node];
  }
  // A crash loses the syncs under way; a restart recovers `term` and a log
  // ending at `log_last`, durable from then on.
  void crashed(NodeId node) { pending_[node].clear(); }
  void recovered(NodeId node, std::uint64_t sync, raft::ViewTerm term, raft::ViewIndex log_last) {
    pending_[node].clear();
    durable_[node] = {sync, term, log_last};
  }

 private:
  void promote(NodeId node, std::uint64_t completed) {
    auto& pending = pending_[node];
    while (!pending.empty() && pending.front().sync <= completed) {
      durable_[node] = pending.front();
      pending.pop_front();
    }
  }
  std::vector<NodeId> due_;                // servers that began a sync in this event
  std::vector<std::deque<State>> pending_; // per server: states of syncs under way, oldest first
  std::vector<State> durable_;             // per server: the latest completed sync's state
};

}  // namespace faultline

// The libraft binding's protocol struct and observer: canonical/raft 0.15
// (protocols/libraft) under faultline.
//
// LibraftNode answers raft::RaftStateView, so libraft is checked by the one
// Raft observer faultline's own Raft has (protocols/raft/binding/raft_observer.hpp):
// every Raft safety checker (election_safety, state_machine_safety,
// leader_completeness, term_monotonic, log_matching, commit_index_monotonic,
// applied_entry_lost, committed_entry_kept) and, at the end of every run
// with clients, linearizability of their history. Its leader metrics
// (leader_changes, time_to_leader_ns, unavailable_ns) are measured the same
// way too, so `faultline compare --protocols raft,libraft` compares like
// with like; libraft does not expose "a majority answered my AppendEntries
// round", so its view approximates leadership_established() (see
// LibraftNode). What libraft alone adds:
//   unavailable_nodes   servers the library turned RAFT_UNAVAILABLE (after an
//                       I/O error, or its own consistency checks), instead
//                       of leaving them silently idle
// libraft emits none of the events of the observer's metrics-only path, so
// config_changes, transfer_ns, snapshots_taken/installed and
// entries_truncated are 0 for it.
#pragma once

#include <map>
#include <vector>

#include "protocols/libraft/libraft_node.hpp"
#include "protocols/raft/binding/raft_observer.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

class LibraftObserver;

struct LibraftProtocol {
  using Node = libraft::LibraftNode;
  using Message = libraft::Message;
  using Reply = kv::Reply;
  using Params = libraft::Params;
  using Observer = LibraftObserver;
  // Stale timers may be dropped unseen, as RaftProtocol's: after_event
  // repeated with no event in between changes and reports nothing
  // (LibraftObserver adds a flag set from the acting node's state).
  static constexpr bool kDropStaleTimers = true;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return libraft::message_type_name(m); }
  static std::uint32_t message_bytes(const Message& m) { return libraft::message_bytes(m); }
  template <class F>
  static void message_fields(const Message& m, F&& field) {
    libraft::message_fields(m, std::forward<F>(field));
  }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

class LibraftObserver : public RaftObserverFor<LibraftProtocol> {
 public:
  LibraftObserver(const Scenario& scenario, const libraft::Params& params, Simulation<LibraftProtocol>& sim);

  void after_event(Time t);
  void finish(Time end, Metrics& metrics);

 private:
  Simulation<LibraftProtocol>& sim_;
  std::vector<bool> unavailable_;  // per node: the library turned itself unavailable at some point
};

}  // namespace faultline

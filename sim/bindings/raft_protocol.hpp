// The Raft binding's protocol struct and observer.
//
// Invariants, checked online (Raft paper Figure 3):
//   election_safety        at most one leader per term
//   state_machine_safety   no two nodes apply different commands at one index (Log Matching's consequence)
//   leader_completeness    a new leader's log holds every entry committed in an earlier term
//   term_monotonic         a restarted node's term is at least what it was before the crash
//                          (currentTerm is durable state, Figure 2)
// plus, at the end of every run with clients, linearizability of their history.
// Metrics: elections, leader_changes, split_votes, time_to_leader_ns (per
// leader loss: until a new leader), unavailable_ns (per loss: until an entry
// of the new leader's term applies), and the client workload's metrics.
#pragma once

#include <map>
#include <vector>

#include "protocols/raft/raft_node.hpp"
#include "sim/checkers/leader_timeline.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct RaftProtocol;

class RaftObserver : public ObserverBase {
 public:
  RaftObserver(const Scenario& scenario, const raft::Params& params, Simulation<RaftProtocol>& sim);

  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void before_crash(Time t, NodeId node);
  void on_crash(Time t, NodeId node);
  void on_connectivity_change(Time t);
  void finish(Time end, Metrics& metrics);
  // For a nemesis that targets the leader.
  NodeId current_leader() const { return leaders_.current(); }

 private:
  Simulation<RaftProtocol>& sim_;
  std::map<std::uint64_t, NodeId> leader_of_term_;
  std::map<std::uint64_t, bool> term_had_candidate_;
  // Per log index (1-based): what was first applied there, and the highest
  // leader term established by then, a bound on the term that committed it.
  struct Applied {
    std::uint64_t term = 0, digest = 0, committed_by_term_at_most = 0;
  };
  std::vector<Applied> applied_;
  std::uint64_t highest_leader_term_ = 0;
  std::map<NodeId, std::uint64_t> term_before_crash_;
  LeaderTimeline leaders_;
  std::uint64_t elections_ = 0;
};

struct RaftProtocol {
  using Node = raft::RaftNode;
  using Message = raft::Message;
  using Reply = kv::Reply;
  using Params = raft::Params;
  using Observer = RaftObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return raft::message_type_name(m); }
  static std::uint32_t message_bytes(const Message& m) { return raft::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

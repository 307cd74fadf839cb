// The libraft binding's protocol struct and observer: canonical/raft 0.15
// (protocols/libraft) under faultline.
//
// LibraftObserver is interim: it reads libraft nodes only through
// raft::RaftStateView and LibraftNode's applied commands (typed state, never
// trace strings), and checks
//   election_safety        at most one leader per term (Raft paper Figure 3)
//   state_machine_safety   no two nodes apply different commands at one index
// plus, at the end of every run with clients, linearizability of their
// history (the simulation's). It is meant to give way to the shared Raft
// observer (sim/bindings/raft_observer.cpp reading RaftStateView) once that
// serves any RaftStateView; everything it does is in libraft_observer.cpp.
// Metrics: elections (terms in which some server stood), and from the
// LeaderTimeline faultline's Raft and Multi-Paxos share (so `faultline
// compare` measures libraft the same way): leader_changes,
// time_to_leader_ns (until the new leader has heard from a majority within
// an election timeout, libraft's nearest to an acknowledged round),
// unavailable_ns (until an entry of the new leader's term applies); and
// unavailable_nodes (servers the library turned RAFT_UNAVAILABLE after an
// I/O error, instead of leaving them silently idle).
#pragma once

#include <map>
#include <vector>

#include "protocols/libraft/libraft_node.hpp"
#include "sim/checkers/leader_timeline.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct LibraftProtocol;

class LibraftObserver : public ObserverBase {
 public:
  LibraftObserver(const Scenario& scenario, const libraft::Params& params, Simulation<LibraftProtocol>& sim);

  void on_crash(Time t, NodeId node);
  void on_connectivity_change(Time t);
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);
  // For a nemesis that targets the leader: the running leader of the highest term.
  NodeId current_leader() const { return leader_; }

 private:
  void check_applied(Time t, NodeId node);
  void check_leader(Time t, NodeId node);

  Simulation<LibraftProtocol>& sim_;
  std::vector<std::uint64_t> applied_seen_;  // per node: applied commands already checked (since its start)
  struct Applied {
    std::uint64_t term = 0, digest = 0;
    NodeId node = kNoNode;
  };
  std::vector<Applied> applied_;  // per log index (1-based): the first command applied there
  std::map<std::uint64_t, NodeId> leader_of_term_;
  std::map<std::uint64_t, bool> stood_in_term_;
  NodeId leader_ = kNoNode;
  std::uint64_t leader_term_ = 0;
  LeaderTimeline leaders_;
  std::vector<std::uint64_t> led_term_;  // per node: the term it leads (0: not leading)
  std::vector<bool> cut_off_;            // per node: cut off from a majority now
  std::vector<bool> unavailable_;
};

struct LibraftProtocol {
  using Node = libraft::LibraftNode;
  using Message = libraft::Message;
  using Reply = kv::Reply;
  using Params = libraft::Params;
  using Observer = LibraftObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return libraft::message_type_name(m); }
  static std::uint32_t message_bytes(const Message& m) { return libraft::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

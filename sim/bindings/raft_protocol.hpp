// The Raft binding's protocol struct and observer.
//
// Invariants, checked online (Raft paper Figure 3):
//   election_safety        at most one leader per term
//   state_machine_safety   no two nodes apply different commands at one index (Log Matching's consequence)
//   leader_completeness    a new leader's log holds every entry committed in an earlier term
//   term_monotonic         a restarted node's term is at least what it was before the crash
//                          (currentTerm is durable state, Figure 2)
//   log_matching           two logs that agree on an index's term agree on everything up to it
//                          (checked at every election and at the end)
//   commit_index_monotonic a node applies index after index, never going back while it runs
//   applied_entry_lost     a restarted node recovers every entry it had applied
//   committed_entry_kept   no node loses a committed entry it held (by a truncation or an
//                          overwrite), or one it acknowledged (also across a restart)
//                          (CommittedLog; after every event, so at the event that lost it)
// plus, at the end of every run with clients, linearizability of their history.
// Metrics (exact definitions: docs/metrics.md): elections (terms in which
// some server stood), split_votes (ended terms without a leader that had two
// or more candidates), failed_elections (... with one candidate),
// leader_changes, time_to_leader_ns (per leader loss: until a new leader is
// established, a majority having answered its first AppendEntries round),
// unavailable_ns (per loss: until an entry of the new leader's term
// applies), and the client workload's metrics. A
// leader is lost when it crashes, steps down, or is cut off from a majority
// (a partition leaves it fewer than a majority of nodes it can both send to
// and hear from); a cut-off leader reconnected before anyone replaced it
// adds no time_to_leader_ns sample, and the unavailability runs until it
// commits again.
// Partition metrics:
//   cut_off_commits         entries a leader committed while cut off from a
//                           majority, among those it appended after the cut
//                           (0 in a correct Raft: a commit needs a majority
//                           of acknowledgements, each over a two-way link)
//   config_changes          membership changes appended by leaders (thesis 4)
//   transfer_ns             per leadership transfer: until the target leads (3.10)
//   snapshots_taken, snapshots_installed
//                           log compactions (thesis 5), and snapshots a
//                           leader sent to a follower behind its log's base
//   entries_truncated       log entries dropped as conflicting suffixes (5.3):
//                           a deposed leader's uncommitted entries, replaced
//   stepdown_after_heal_ns  per stale leader (a leader whose term is below
//                           the newest leader's) reconnected to a majority:
//                           until it steps down
// Restarts (per restart of a node while others had committed something):
//   catchup_entries         entries committed that it had not applied: the
//                           highest commit index among running nodes at the
//                           restart, less what it had applied when it crashed
//   catchup_ns              until it has applied up to that index again
#pragma once

#include <map>
#include <vector>

#include "protocols/raft/raft_node.hpp"
#include "sim/checkers/committed_log.hpp"
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
  void on_restart(Time t, NodeId node);
  void on_connectivity_change(Time t);
  // After every event, from typed node state: whether a new leader is
  // established (time_to_leader_ns), and committed_entry_kept.
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);
  // For a nemesis that targets the leader.
  NodeId current_leader() const { return leaders_.current(); }

 private:
  void note_leadership_established(Time t);
  // Reads every running node's log and commit index (committed_entry_kept).
  void check_committed_entries();
  void check_log_matching(NodeId at);
  std::map<NodeId, std::uint64_t> last_apply_;  // per node: the last index it applied, since its start

  Simulation<RaftProtocol>& sim_;
  std::map<std::uint64_t, NodeId> leader_of_term_;
  std::map<std::uint64_t, std::vector<NodeId>> candidates_of_term_;  // the distinct servers that stood in each term
  void note_candidacy(NodeId node);
  // Per log index (1-based): what was first applied there, and the highest
  // leader term established by then, a bound on the term that committed it.
  struct Applied {
    std::uint64_t term = 0, digest = 0, committed_by_term_at_most = 0;
  };
  std::vector<Applied> applied_;
  std::uint64_t highest_leader_term_ = 0;
  CommittedLog committed_;  // the cluster's committed entries, and how far each node holds them
  std::map<NodeId, std::uint64_t> term_before_crash_;
  LeaderTimeline leaders_;  // leader changes, time to a new leader, time without commits

  // Partitions. Per node: cut off from a majority now, and its last log
  // index when it was cut off.
  std::vector<bool> cut_off_;
  std::vector<std::uint64_t> log_at_cut_;
  std::map<NodeId, Time> stale_rejoined_;  // stale leaders reconnected, waiting to step down
  std::uint64_t cut_off_commits_ = 0, entries_truncated_ = 0;
  std::uint64_t snapshots_taken_ = 0, snapshots_installed_ = 0, config_changes_ = 0;
  Time transfer_started_ = -1;  // a leadership transfer waiting for its target to lead
  NodeId transfer_to_ = kNoNode;
  std::vector<double> transfer_ns_;
  std::vector<double> stepdown_after_heal_;

  // Restarts: what a node had applied when it crashed; the restarted nodes
  // still catching up (the index to reach, and when they restarted).
  std::map<NodeId, std::uint64_t> applied_at_crash_;
  struct CatchUp {
    Time since;
    std::uint64_t target;
  };
  std::map<NodeId, CatchUp> catching_up_;
  std::vector<double> catchup_ns_, catchup_entries_;
};

struct RaftProtocol {
  using Node = raft::RaftNode;
  using Message = raft::Message;
  using Reply = kv::Reply;
  using Params = raft::Params;
  using Observer = RaftObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return raft::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { raft::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return raft::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

// The Consul observer: every Raft checker and metric on the servers (the Raft
// observer, raft_observer.hpp, over servers 0 .. servers-1 through each
// server's inner RaftNode), and the catalog's own checkers and metrics.
// A template over the protocol struct, as RaftObserverFor is, so a test can
// run it with its protocol-event hook silenced (tests/consul/
// consul_typed_observer_test.cpp); ConsulObserver is the one faultline runs.
// Definitions: consul_observer_impl.hpp.
//
// The catalog it judges is the committed one: it replays, in log order, the
// command of each index the first time some server applies it (read from
// that server's log, typed) into a key-value store of its own, with the same
// client sessions as Raft's store.
//
// How it sees: typed state, never trace events (a renamed or dropped event
// cannot disarm a check). After every event it looks at the node the event
// was handed to (Simulation::acting_node()), if it handled an input since
// the last look (ConsulNode::inputs()), and at each node after it started:
//   - a server's Raft last_applied() advancing: the indexes it applied, read
//     from its log (an index a snapshot taken in the same input compacted,
//     from what the server kept of it, RaftNode::compacted_entry(); an
//     advance by a snapshot installed, RaftNode::snapshots_installed(),
//     applied nothing one by one);
//   - the reads a server answered in that input (step_reads_served()),
//     each after the applies that preceded it;
//   - a server's SWIM entry of each crashed node (swim().member()) changed
//     to dead: that server learned the death (several in one input in the
//     order its SWIM changed them, step_members_changed(); a death its SWIM
//     undid within the same input, for a later life's alive, is none);
//   - a node's SWIM becoming inactive (a graceful leave) or active again
//     (a scripted join; a restart is no join);
//   - an agent's read_sequence() changing: it issued a read;
//   - counters: forwards(), reads_redirected(), reads_answered().
// Only the Raft observer's metrics-only path (entries_truncated,
// snapshots_taken, snapshots_installed, config_changes, transfer_ns) still
// counts the servers' events, as it does for protocol raft.
//
// Invariants (online):
//   catalog_healthy_but_dead   a node crashed for longer than the bound
//                              (params.healthy_bound; by default the longest
//                              SWIM suspicion timeout + 25 probe intervals +
//                              10 s: time for gossip to find it and for the
//                              leader to commit) is still passing in the
//                              catalog. The time counts from the crash, or
//                              from the latest fault among the servers (crash,
//                              restart, pause, resume, connectivity change) or
//                              moment without a leader, whichever is latest:
//                              with no quorum the catalog is read-only, by design.
//   deregistered_only_if_left  a node is deregistered only after it left the
//                              gossip pool gracefully (Consul keeps a failed
//                              node registered, critical, until it is reaped;
//                              a false suspicion makes a node dead, never left)
//   catalog_write_once         every catalog write applied changes the catalog:
//                              a write that finds the value it writes is the
//                              same registration applied twice (a replay the
//                              compare-and-set and the sessions should stop)
//   services_only_where_run    a service is registered only for an agent, and
//                              only one of the services the agents run
//                              (params.agents.services)
//   services_removed_with_node the catalog never holds a service of a node it
//                              holds deregistered: none left when the node is
//                              deregistered (Consul's deregistration removes a
//                              node's services with it), none registered after
// Metrics (per crash of a node while the catalog had it passing, counted
// when the catalog commits it critical while it is down):
//   detect_ns            crash -> the leader's SWIM holds it dead (gossip: the
//                        probe, the suspicion timeout, the news reaching the
//                        leader); for a leader that learned it before it
//                        led, crash -> the first server's SWIM holding it dead
//   commit_ns            that -> its health committed critical (Raft)
//   crash_to_critical_ns crash -> committed critical
//   false_criticals      a node committed critical while it was running
//                        (a false suspicion that was not refuted in time)
//   catalog_writes       catalog writes applied
//   replays_suppressed   catalog requests the sessions answered without applying
//                        (a retry of one already applied)
//   healthy_but_down     at the end: nodes crashed but passing in the catalog
//   critical_but_running at the end: nodes running (not paused) but critical
//                        in the catalog (a partition's false deaths not yet undone)
//   check_to_catalog_ns  per scripted check transition (params.agents.failing_checks:
//                        from, until) and service it covers: until the
//                        catalog's service/<id>/<name> says so
//   services_registered, services_critical  at the end: agents' services in
//                        the catalog, and those whose check it holds critical
//   reconciles_interrupted  a leader crashed with reconciliation writes of
//                        its own unanswered (its successor must redo them)
// Reads, in Consul's three modes. The workload's gets with
// servers.raft.read_index are consistent reads (ReadIndex: the leader
// confirms with a quorum that it still leads), and the linearizability
// checker holds them. The agents' own reads (params.agents.reads) are
// served in all three modes (consul_node.cpp), each with the index the
// server had applied (ConsulNode::step_reads_served()):
//   consistent_read_fresh (invariant) an agent's consistent read holds every
//                         entry committed (first applied by some server)
//                         before the agent issued it
//   {consistent,default,stale}_read_missed_entries  per read served: the
//                         committed entries it did not hold
//   {default,stale}_read_missed_ns  per read served: since when the first
//                         of them had been committed (0: none)
//   reads_answered        reads whose answer reached the agent
//   reads_redirected, rpcs_forwarded  default/consistent reads a non-leader
//                         answered "not leader"; syncs and reads it forwarded
// For the workload's gets, what the two other modes would return is
// measured, not served (the workload's history must stay linearizable):
//   stale_read_lag_ns     stale mode (any server): per entry and server that
//                         was up when it was first applied, how long after
//                         that this server applied it (a stale read there
//                         missed it for that long)
//   default_read_stale_ns default mode (the leader, no quorum check): per
//                         deposed leader, from the first commit of a newer
//                         term until it stops leading (its default reads miss
//                         that commit meanwhile)
// plus the Raft observer's metrics and the workload's.
#pragma once

#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "protocols/consul/consul_node.hpp"
#include "protocols/consul/consul_params.hpp"
#include "protocols/kv/kv_store.hpp"
#include "protocols/raft/raft_node_view.hpp"
#include "protocols/raft/binding/raft_observer.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct ConsulProtocol;

template <class P>
class ConsulObserverFor : public ObserverBase {
 public:
  ConsulObserverFor(const Scenario& scenario, const consul::Params& params, Simulation<P>& sim);

  // The metrics-only path: the servers' events, to the Raft observer's (no
  // check reads them).
  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields) {
    if (params_.is_server(node)) raft_.on_protocol_event(t, node, kind, fields);
  }
  void before_crash(Time t, NodeId node);
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  void on_pause(Time t, NodeId node);
  void on_resume(Time t, NodeId node);
  void on_connectivity_change(Time t);
  void on_sync_begun(Time t, NodeId node) {
    if (params_.is_server(node)) raft_.on_sync_begun(t, node);
  }
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);
  NodeId current_leader() const { return raft_.current_leader(); }

  // The catalog bound of catalog_healthy_but_dead for these parameters (a
  // pool of `nodes`; with a role's own SWIM parameters, the slower role's).
  static Duration healthy_bound(const consul::Params& p, NodeId nodes);

 private:
  // The servers, as the Raft observer reads them: each one's inner RaftNode.
  class Servers final : public RaftCluster {
   public:
    Servers(Simulation<P>& sim, NodeId servers) : sim_(sim), servers_(servers), views_(servers) {}
    NodeId node_count() const override { return servers_; }
    bool is_running(NodeId node) const override { return sim_.is_running(node); }
    const Connectivity& connectivity() const override { return sim_.connectivity(); }
    std::string node_name(NodeId node) const override { return sim_.node_name(node); }
    NodeId acting_node() const override {
      const NodeId acting = sim_.acting_node();
      return acting < servers_ ? acting : kNoNode;
    }
    const raft::RaftStateView& view(NodeId node) const override {
      views_[node].bind(*sim_.node(node).raft());  // the node object is replaced in place on a crash
      return views_[node];
    }
    void report_violation(NodeId node, std::string invariant, std::string message) override {
      sim_.report_violation(node, std::move(invariant), std::move(message));
    }
    std::uint64_t syncs_begun(NodeId node) const override { return sim_.syncs_begun(node); }
    std::uint64_t syncs_completed(NodeId node) const override { return sim_.syncs_completed(node); }

   private:
    Simulation<P>& sim_;
    NodeId servers_;
    mutable std::vector<raft::RaftNodeView> views_;
  };

  // What the observer last saw of a node (since its start): see look().
  struct Seen {
    std::uint64_t inputs = 0;         // ConsulNode::inputs()
    std::uint64_t read_sequence = 0;  // an agent's latest read
    raft::Index applied = 0;          // a server's last applied index
    std::uint32_t forwards = 0, reads_redirected = 0, reads_answered = 0;
    std::uint16_t snapshots_installed = 0;
    bool active = false;  // a member of the pool (SWIM's active())
  };
  // The node the event was handed to handled an input since the last look.
  void look(Time t, NodeId node);
  void look_at_server(Time t, NodeId node, const consul::ConsulNode& n, Seen& seen);
  // Nodes started since the last look: what they hold now is their start.
  void seed_started();
  // The acting server applied every index up to `through` (Seen::applied: what it had applied).
  void applied_through(Time t, NodeId server, raft::Index through);
  void apply_committed(Time t, NodeId server, std::uint64_t index);
  // The committed entry at `index`, which `server` has just applied first.
  const raft::Entry& committed_entry(NodeId server, std::uint64_t index) const;
  // Whether `server` (`n`)'s SWIM changed its entry of crashed node `m` to
  // dead since the last look: then it learned the death.
  struct Down;
  void look_at_member(Time t, NodeId server, const consul::ConsulNode& n, NodeId m, Down& down);
  void learned_dead(Time t, NodeId server, Down& down);
  void read_served(Time t, const consul::ConsulNode::ServedRead& read);
  void server_fault(Time t, NodeId node) {
    if (params_.is_server(node)) last_server_fault_ = t;
  }
  // Whether the current leader can commit: it runs, and a majority of the
  // servers (itself included) run and can both send to it and hear from it.
  bool leader_has_quorum() const;

  Simulation<P>& sim_;
  const consul::Params& params_;
  Servers servers_;   // before raft_, which keeps a reference to it
  RaftObserver raft_;

  // The committed catalog, replayed (see above). Invariant: every index up
  // to catalog_applied_ has been replayed once, in order.
  kv::KvStore catalog_;
  std::uint64_t catalog_applied_ = 0;
  std::map<ClientId, std::uint64_t> last_sequence_;  // per client: as the store's sessions
  struct Down {
    Time since;
    Time learned = -1;               // the leader's SWIM declared it dead
    Time first_server_learned = -1;  // some server's SWIM did
    bool was_passing = false;
    bool reported = false;
    // Per server: its SWIM's entry for this node at the last look (at the
    // crash, or the server's start); a change to dead is news of the death.
    std::vector<swim::MemberInfo> seen_by;
  };
  std::map<NodeId, Down> down_;  // crashed nodes, until they restart
  std::vector<bool> left_;       // per node: left the pool gracefully (and has not joined since)
  std::vector<Seen> seen_;
  std::vector<NodeId> started_;  // restarted since the last look
  Duration bound_;
  Time last_server_fault_ = 0, last_leaderless_ = 0, next_check_ = 0;

  std::vector<double> detect_ns_, commit_ns_, crash_to_critical_ns_, check_to_catalog_ns_;
  std::set<std::tuple<NodeId, std::size_t, Time>> check_seen_;  // check transitions (node, service, time) already measured
  // Reads. Per log index (1-based): when some server first applied it; per
  // server: its last start, and since when it leads a term older than a
  // committed entry's (-1: it does not).
  std::vector<Time> first_applied_at_;
  std::vector<Time> started_at_, deposed_since_;
  std::vector<double> stale_read_lag_ns_, default_read_stale_ns_;
  // Reads the agents issue (params.agents.reads), served: per (agent,
  // sequence), the catalog's last committed index when the agent issued it.
  std::map<std::pair<NodeId, std::uint64_t>, std::uint64_t> reads_issued_;
  // Per mode served (consistent, default, stale): committed entries the
  // read missed, and since when it missed the first of them.
  std::vector<double> read_missed_entries_[3], read_missed_ns_[3];
  std::uint64_t rpcs_forwarded_ = 0, reads_redirected_ = 0, reads_answered_ = 0;
  std::uint64_t false_criticals_ = 0, catalog_writes_ = 0, replays_suppressed_ = 0, reconciles_interrupted_ = 0;
};

using ConsulObserver = ConsulObserverFor<ConsulProtocol>;

}  // namespace faultline

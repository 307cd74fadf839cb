// The Raft observer: every Raft safety checker and Raft metric, reading each
// server through its typed view (protocols/raft/raft_state_view.hpp) and the
// engine's facts (time, running or crashed, connectivity, crash and restart
// hooks). One observer serves every Raft implementation that answers the
// view: faultline's RaftNode (raft_protocol.hpp) and a third-party library
// behind an adapter alike.
//
// Invariants, checked online (Raft paper Figure 3):
//   election_safety        at most one leader per term
//   state_machine_safety   no two nodes apply different commands at one index (Log Matching's consequence)
//   leader_completeness    a new leader's log holds every entry committed in an earlier term
//   term_monotonic         a restarted node's term is at least what it was before the crash
//                          (currentTerm is durable state, Figure 2)
//   log_matching           two logs that agree on an index's term agree on everything up to it
//                          (checked at every election and at the end)
//   commit_index_monotonic neither the commit index nor last applied goes back while a node runs
//   applied_entry_lost     a restarted node recovers every entry it had applied
//   committed_entry_kept   no node loses a committed entry it held (by a truncation or an
//                          overwrite), or one it acknowledged (also across a restart)
//                          (CommittedLog; at the event that lost it)
// plus, at the end of every run with clients, linearizability of their history
// (the workload's, not this observer's).
//
// How it sees: after every event it looks at the server that handled it
// (Simulation::acting_node(); a server's state changes only when it handles
// an event) and at the servers a crash or restart touched, and compares the
// view with what it saw there last. From the differences it derives
//   - candidacy: a candidate stands in its term; a leader of a term it was
//     not seen leading stood in it too (5.2: only a candidate becomes leader);
//   - elections: leader of a term it was not seen leading (election safety,
//     leader completeness, log matching, leader_changes);
//   - a leader lost: it was seen leading that term and no longer leads it;
//   - applies: last_applied advanced; each newly applied index's term and
//     digest are read with term_at() and entry_digest(). An index that the
//     same event also compacted (a snapshot taken right after applying, or a
//     snapshot installed from the leader) cannot be read any more: its term
//     is known only at the snapshot's base, its command not at all, so
//     state_machine_safety compares what it can (the term at the base) and
//     leaves the rest to the servers that applied them without compacting;
//   - commits: the commit index advancing (committed_entry_kept), with a
//     leader's match indexes for what it counted;
//   - restarts: the recovered term and log, read at the event that restarted
//     the server (term_monotonic, applied_entry_lost).
// The time_to_leader_ns sample ends when the current leader's view says
// leadership_established().
//
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
//   stepdown_after_heal_ns  per stale leader (a leader whose term is below
//                           the newest leader's) reconnected to a majority:
//                           until it steps down
// Restarts (per restart of a node while others had committed something):
//   catchup_entries         entries committed that it had not applied: the
//                           highest commit index among running nodes at the
//                           restart, less what it had applied when it crashed
//   catchup_ns              until it has applied up to that index again (a
//                           snapshot installed counts as applied)
// Metrics the view cannot tell, read from protocol events (the metrics-only
// path, on_protocol_event; no safety verdict depends on it):
//   config_changes          membership changes appended by leaders (thesis 4)
//   transfer_ns             per leadership transfer: until the target leads (3.10)
//   snapshots_taken, snapshots_installed
//                           log compactions (thesis 5), and snapshots a
//                           leader sent to a follower behind its log's base
//                           (the view shows the base growing, not which)
//   entries_truncated       log entries dropped as conflicting suffixes (5.3):
//                           a deposed leader's uncommitted entries, replaced
//
// ---- Plugging in another Raft implementation ----
// 1. Its node type answers raft::RaftStateView: either the node class derives
//    from it, or the protocol struct names an adapter, `using StateView = X;`
//    with X default-constructible, deriving from RaftStateView and having
//    `void bind(const Node&)` (as raft::RaftNodeView does for RaftNode).
//    Every answer must be the server's state as of the end of the event it
//    last handled; the view is read only between events.
// 2. The protocol struct says `using Observer = RaftObserverFor<ThatProtocol>;`
//    (its Params type is ignored). Nothing else: the checkers need no trace
//    events. To get the four metrics above, emit the events named in
//    on_protocol_event with the same fields; without them those metrics are 0.
// 3. The nemesis's leader target comes from current_leader().
#pragma once

#include <bit>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "protocols/raft/raft_state_view.hpp"
#include "protocols/raft/binding/applied_window.hpp"
#include "protocols/raft/binding/committed_log.hpp"
#include "protocols/raft/binding/synced_states.hpp"
#include "sim/checkers/leader_timeline.hpp"
#include "sim/network/connectivity.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;

// What the Raft observer reads of a run: the engine's facts, and each
// server's typed view. RaftObserverFor<P> implements it over Simulation<P>;
// a test can implement it by hand.
class RaftCluster {
 public:
  virtual ~RaftCluster() = default;
  virtual NodeId node_count() const = 0;
  virtual bool is_running(NodeId node) const = 0;
  virtual const Connectivity& connectivity() const = 0;
  virtual std::string node_name(NodeId node) const = 0;
  // The server the latest event was handed to (see Simulation::acting_node).
  virtual NodeId acting_node() const = 0;
  // Server `node` as of now. A crashed server's view is its blank state.
  virtual const raft::RaftStateView& view(NodeId node) const = 0;
  virtual void report_violation(NodeId node, std::string invariant, std::string message) = 0;
  // Syncs the server began and completed since the run began (a disk whose
  // syncs take time, scenario `disk:`; 0 and 0 where a sync completes as it
  // begins). See SyncedStates.
  virtual std::uint64_t syncs_begun(NodeId) const { return 0; }
  virtual std::uint64_t syncs_completed(NodeId) const { return 0; }
};

class RaftObserver : public ObserverBase {
 public:
  RaftObserver(const Scenario& scenario, RaftCluster& cluster);
  // Over servers 0 .. servers-1 only, in a run whose other nodes run no Raft
  // (cluster.node_count() must be `servers` too).
  RaftObserver(RaftCluster& cluster, NodeId servers);

  // The metrics-only path (see above): never read by a safety check.
  void on_protocol_event(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
  void before_crash(Time t, NodeId node);
  void on_crash(Time t, NodeId node);
  void on_restart(Time t, NodeId node);
  // The server began a sync (Simulation::begin_sync): what it holds at the
  // end of this event is what the sync makes durable (SyncedStates).
  void on_sync_begun(Time, NodeId node) { synced_.begun(node); }
  void on_connectivity_change(Time t);
  // After every event: looks at the acting server and at those a crash or
  // restart touched.
  void after_event(Time t);
  void finish(Time end, Metrics& metrics);
  // For a nemesis that targets the leader.
  NodeId current_leader() const { return leaders_.current(); }

 protected:
  // after_event() in parts, for RaftObserverFor<P>::after_event, which reads
  // the acting server without a virtual call: whether a look at `node`
  // (running; its summary is `now`) would find nothing new (see
  // unchanged()); the look itself; the looks queued by a crash or restart.
  NodeId servers() const { return servers_; }
  [[gnu::always_inline]] bool look_skippable(NodeId node, const raft::ViewSummary& now) {
    Seen& s = seen_[node];
    if (s.restarted || !unchanged(node, s, now)) return false;
    s.log_last_index = now.log_last_index;  // see unchanged()
    return true;
  }
  // The servers' views as a look reads them (look_changed and what it
  // calls are templates over it): `view(j)` and `running(j)`. Here through
  // RaftCluster's virtual calls; RaftObserverFor<P> passes the adapter's own
  // type (SimulationRaftCluster<P>::TypedViews), whose calls then need no
  // virtual dispatch and inline.
  struct ClusterViews {
    const RaftCluster& cluster;
    const raft::RaftStateView& view(NodeId node) const { return cluster.view(node); }
    bool running(NodeId node) const { return cluster.is_running(node); }
  };
  // (Reads the acting server's summary again: the caller's need not be kept in memory.)
  template <class Views>
  [[gnu::noinline]] void look_changed_at(Time t, NodeId node, const Views& views);
  bool has_queued_looks() const { return !to_look_at_.empty(); }
  void look_at_queued(Time t, NodeId acting);
  // Servers that began a sync in this event: their state, read now, is what it covers.
  bool has_synced_states_due() const { return synced_.due(); }
  void record_synced_states();
  // The highest log index whose applied slot was freed (AppliedWindow), and
  // a switch that keeps every slot (for a test to compare the two).
  raft::ViewIndex applied_slots_dropped_through() const { return applied_.base(); }
  bool drops_applied_slots_ = true;

 private:
  // What the observer last saw of one server (since its start or restart).
  struct Seen {
    raft::ViewRole role = raft::ViewRole::kFollower;
    raft::ViewTerm term = 0;
    raft::ViewIndex last_applied = 0, commit_index = 0;
    bool restarted = false;  // recovered from storage since the last look
    // The rest of the summary at the last look (looked: there was one since
    // the start or restart; the log's last index as of the last look or
    // skip, see unchanged()), and committed_.epoch() then.
    bool looked = false;
    raft::ViewIndex log_base_index = 0, log_last_index = 0;
    std::uint64_t log_rewrites = raft::ViewSummary::kNotCounted;
    std::uint64_t committed_epoch = 0;
    // While it leads (with its match indexes kept, see seen_matches_): bit j
    // set for each other server j that committed_ did not know to have
    // acknowledged everything up to its commit index at the last look
    // (!acknowledged_through): the only match indexes a look could act on.
    std::uint64_t ack_pending = 0;
  };
  // Whether a look at `node` now would find nothing new and change nothing
  // the checks read, so it can be skipped: the server's role, term, commit
  // index, last applied, log base and log rewrites are what the last look
  // saw, its log's rewrites are counted, nothing the checks read besides it
  // has changed (committed_.epoch()), and
  //   - its log's last index is what the last look (or skip) saw, or
  //     committed_.check() of it would repeat (check_repeats()): its log
  //     has grown (appends: the rewrites are unchanged), but by nothing
  //     both committed and above what it is known to hold. Nothing else in
  //     a look reads the log's last index (a skip records it);
  //   - while it leads, the match indexes of the servers in ack_pending are
  //     what the last look saw. Those of the others cannot matter: each of
  //     them is known to hold, and to have acknowledged, everything up to
  //     the (unchanged) commit index, and within one epoch what
  //     committed_ knows a server holds and acknowledged only grows.
  // Then every check would repeat the last look's work with the same
  // answers: see look_at().
  [[gnu::always_inline]] bool unchanged(NodeId node, const Seen& s, const raft::ViewSummary& now) const;

  // Compares `node`'s view with what was seen there last, and checks.
  void look_at(Time t, NodeId node);
  // look_at() past the unchanged() test: `now` is the server's summary.
  template <class Views>
  void look_changed(Time t, NodeId node, const Views& views, Seen& s, const raft::ViewSummary& now);
  void check_recovery(NodeId node, const raft::RaftStateView& v);
  // look_changed's rare parts, out of line: a restarted server's first look
  // (check_recovery, and what it recovered as the seen state), a leader
  // lost, commit index or last applied gone back, a catch-up ended.
  void restart_seen(NodeId node, const raft::RaftStateView& v, Seen& s);
  void on_leader_lost(Time t, NodeId node);
  void report_commit_went_back(NodeId node, const Seen& s, raft::ViewIndex commit, raft::ViewIndex applied);
  void caught_up(Time t, NodeId node, raft::ViewIndex applied);
  void on_elected(Time t, NodeId node, raft::ViewTerm term, const raft::RaftStateView& v);
  // Indexes `from` .. `to` newly applied (from <= to); `base`: v's log base index now.
  template <class View>
  void on_applied(Time t, NodeId node, raft::ViewIndex from, raft::ViewIndex to, bool leading, const View& v,
                  raft::ViewIndex base);
  void report_applied_differently(NodeId node, raft::ViewIndex index, raft::ViewTerm term, std::uint64_t digest);
  // A look saw `node`'s log base (its snapshot's last index) change to
  // `base`: frees the applied_ slots no server can apply again.
  void note_base(NodeId node, raft::ViewIndex base);
  // committed_entry_kept, for `node` (which just acted; `now` is its view
  // `v`'s summary now). Returns, while it leads, the servers (bit j) not
  // known to have acknowledged everything up to its commit index after the
  // look (Seen::ack_pending); 0 otherwise.
  template <class Views, class View>
  std::uint64_t check_committed_entries(NodeId node, const Views& views, const View& v, const raft::ViewSummary& now);
  // The commit index rose to `commit` (reported by `node`, `v`).
  template <class Views, class View>
  void record_commit(NodeId node, const Views& views, const View& v, raft::ViewIndex commit);
  // committed_.check() of running server j, other than the one acting.
  template <class Views>
  void check_other(const Views& views, NodeId j);
  // A check() of `node` found it lost a committed entry.
  void report_lost(NodeId node, const SafetyViolation& lost);
  void check_log_matching(NodeId at);
  // check_log_matching's copy of one server's readable entries, kept from
  // one check to the next: while the server runs and its log's rewrite
  // count (ViewSummary::log_rewrites, counted) and base are what they were
  // at the copy, every entry copied is still in its log unchanged, so the
  // next check copies only the entries appended since. A crash, a restart,
  // a rewrite or an uncounted log makes a fresh copy (a new generation).
  struct LogCopy {
    using Slot = raft::ViewEntry;
    raft::ViewIndex base = 0;  // entries[k] is index base + 1 + k
    std::vector<Slot> entries;
    bool valid = false;  // entries are the server's, as of its rewrite count `rewrites`
    std::uint64_t rewrites = raft::ViewSummary::kNotCounted;
    std::uint64_t generation = 0;  // changes whenever entries are copied afresh
    raft::ViewIndex last() const { return base + entries.size(); }
    const Slot& at(raft::ViewIndex i) const { return entries[i - base - 1]; }
  };
  std::vector<LogCopy> log_copies_;
  // Per pair of servers a < b (row a, column b): the index up to which the
  // last check found their copies equal, and the copies' generations then.
  // While both generations are unchanged those entries still are equal, and
  // the next check compares only what lies above.
  struct PairChecked {
    std::uint64_t generation_a = 0, generation_b = 0;
    raft::ViewIndex equal_through = 0;  // 0: nothing known
  };
  std::vector<PairChecked> pairs_checked_;
  void forget_log_copy(NodeId node);
  void note_candidacy(NodeId node, raft::ViewTerm term);

  RaftCluster& cluster_;
  NodeId servers_;  // seen_.size()
  std::vector<Seen> seen_;
  // A leader's match indexes at its last look: a row of seen_.size() per
  // server, kept for clusters of up to kMatchesKeptUpTo servers (beyond,
  // empty: a leader's look is never skipped).
  static constexpr NodeId kMatchesKeptUpTo = 64;
  std::vector<raft::ViewIndex> seen_matches_;
  std::vector<NodeId> to_look_at_;  // besides the acting server: restarted ones (all, at the first event)

  std::map<std::uint64_t, NodeId> leader_of_term_;
  std::map<std::uint64_t, std::vector<NodeId>> candidates_of_term_;  // the distinct servers that stood in each term
  // Per log index (1-based) a server could still apply (AppliedWindow): what
  // was first applied there, and the highest leader term established by
  // then, a bound on the term that committed it.
  // A slot's term is 0 until some server applied it readably; its digest is
  // kUnknownDigest while only a snapshot's base term was read (a command
  // whose digest is that value is compared by term only: 1 in 2^64).
  static constexpr std::uint64_t kUnknownDigest = ~std::uint64_t{0};
  // 16 bytes a slot: terms are kept in 32 bits, and a term beyond that stops
  // the run (narrow_term).
  struct Applied {
    std::uint64_t digest = kUnknownDigest;
    std::uint32_t term = 0, committed_by_term_at_most = 0;
  };
  static std::uint32_t narrow_term(std::uint64_t term) {
    if (term > std::numeric_limits<std::uint32_t>::max()) [[unlikely]] throw_term_too_wide(term);
    return static_cast<std::uint32_t>(term);
  }
  [[noreturn]] static void throw_term_too_wide(std::uint64_t term);
  AppliedWindow<Applied> applied_;
  // Per server: its log's base at the last two changes seen (0 until then).
  // A restart reloads at least the older one (see AppliedWindow).
  struct Bases {
    raft::ViewIndex previous = 0, latest = 0;
  };
  std::vector<Bases> bases_;
  std::uint64_t highest_leader_term_ = 0;
  CommittedLog committed_;  // the cluster's committed entries, and how far each node holds them
  std::map<NodeId, std::uint64_t> term_before_crash_;
  SyncedStates synced_;  // on a disk whose syncs take time: what each server's storage holds for sure
  LeaderTimeline leaders_;  // leader changes, time to a new leader, time without commits

  // Partitions. Per node: cut off from a majority now, and its last log
  // index when it was cut off.
  std::vector<bool> cut_off_;
  std::vector<std::uint64_t> log_at_cut_;
  std::map<NodeId, Time> stale_rejoined_;  // stale leaders reconnected, waiting to step down
  std::uint64_t cut_off_commits_ = 0;
  std::vector<double> stepdown_after_heal_;

  // Restarts: what a node had applied when it crashed; the restarted nodes
  // still catching up (the index to reach, and when they restarted).
  std::map<NodeId, std::uint64_t> applied_at_crash_;
  // What a restarted server must recover (applied_entry_lost): what it had
  // applied at its crash, up to what its storage held for sure then
  // (SyncedStates; all of it where syncs complete as they begin).
  std::map<NodeId, std::uint64_t> applied_kept_at_crash_;
  struct CatchUp {
    Time since;
    std::uint64_t target;
  };
  std::map<NodeId, CatchUp> catching_up_;
  std::vector<double> catchup_ns_, catchup_entries_;

  // The metrics-only path's counts (on_protocol_event).
  std::uint64_t entries_truncated_ = 0, snapshots_taken_ = 0, snapshots_installed_ = 0, config_changes_ = 0;
  Time transfer_started_ = -1;  // a leadership transfer waiting for its target to lead
  NodeId transfer_to_ = kNoNode;
  std::vector<double> transfer_ns_;
};

inline bool RaftObserver::unchanged(NodeId node, const Seen& s, const raft::ViewSummary& now) const {
  // Every field compared at once (one branch): this runs after nearly every event.
  const std::uint64_t differs =
      (static_cast<std::uint64_t>(now.role) ^ static_cast<std::uint64_t>(s.role)) | (now.current_term ^ s.term) |
      (now.commit_index ^ s.commit_index) | (now.last_applied ^ s.last_applied) |
      (now.log_base_index ^ s.log_base_index) | (now.log_rewrites ^ s.log_rewrites) |
      (committed_.epoch() ^ s.committed_epoch);
  if (differs != 0 || !s.looked || now.log_rewrites == raft::ViewSummary::kNotCounted) return false;
  if (now.log_last_index != s.log_last_index && !committed_.check_repeats(node, now)) return false;
  // leadership_established() is not in the summary: read it while awaited.
  if (leaders_.current() == node && leaders_.awaiting_established()) return false;
  if (now.role != raft::ViewRole::kLeader) return true;
  // A leader's match indexes feed committed_ (acknowledged()), and so may
  // terms it learns.
  if (!now.match_indexes || committed_.terms_unknown() || seen_matches_.empty()) return false;
  const raft::ViewIndex* seen = seen_matches_.data() + static_cast<std::size_t>(node) * servers_;
  for (std::uint64_t pending = s.ack_pending; pending != 0; pending &= pending - 1) {
    const int j = std::countr_zero(pending);
    if (now.match_indexes[j] != seen[j]) return false;
  }
  return true;
}

}  // namespace faultline

#include "protocols/raft/binding/raft_observer_look.ipp"

namespace faultline {

// RaftCluster over a running Simulation<P> (see "Plugging in" above).
template <class P>
class SimulationRaftCluster final : public RaftCluster {
 public:
  SimulationRaftCluster(Simulation<P>& sim, NodeId nodes) : sim_(sim) {
    if constexpr (!kNodeIsView) views_.resize(nodes);
  }
  NodeId node_count() const override { return sim_.node_count(); }
  bool is_running(NodeId node) const override { return sim_.is_running(node); }
  const Connectivity& connectivity() const override { return sim_.connectivity(); }
  std::string node_name(NodeId node) const override { return sim_.node_name(node); }
  NodeId acting_node() const override { return sim_.acting_node(); }
  const raft::RaftStateView& view(NodeId node) const override { return typed_view(node); }
  // The same, without virtual calls (RaftObserverFor<P>::after_event):
  // view() as its own type (a final adapter's summary() is then a direct
  // call), and the engine's facts.
  const auto& typed_view(NodeId node) const {
    if constexpr (kNodeIsView) {
      return sim_.node(node);
    } else {
      views_[node].bind(sim_.node(node));  // the node object is replaced in place on a crash
      return views_[node];
    }
  }
  NodeId acting() const { return sim_.acting_node(); }
  bool running(NodeId node) const { return sim_.is_running(node); }
  // What RaftObserver's look reads (see RaftObserver::ClusterViews).
  struct TypedViews {
    const SimulationRaftCluster& cluster;
    const auto& view(NodeId node) const { return cluster.typed_view(node); }
    bool running(NodeId node) const { return cluster.running(node); }
  };
  void report_violation(NodeId node, std::string invariant, std::string message) override {
    sim_.report_violation(node, std::move(invariant), std::move(message));
  }
  std::uint64_t syncs_begun(NodeId node) const override { return sim_.syncs_begun(node); }
  std::uint64_t syncs_completed(NodeId node) const override { return sim_.syncs_completed(node); }

 private:
  static constexpr bool kNodeIsView = std::is_base_of_v<raft::RaftStateView, typename P::Node>;
  struct NoAdapter {};
  template <class Q>
  static auto adapter_of(int) -> typename Q::StateView;
  template <class Q>
  static NoAdapter adapter_of(...);
  using Adapter = decltype(adapter_of<P>(0));

  Simulation<P>& sim_;
  mutable std::vector<Adapter> views_;
};

// The observer a Raft protocol struct names: `using Observer = RaftObserverFor<P>;`.
template <class P>
class RaftObserverFor : public RaftObserver {
 public:
  RaftObserverFor(const Scenario& scenario, const typename P::Params&, Simulation<P>& sim)
      : RaftObserver(scenario, cluster_), cluster_(sim, scenario.node_count()) {}

  // RaftObserver::after_event, with the acting server read directly: most
  // looks find nothing new (the event was a client's, or changed nothing
  // there) and stop at look_skippable(), so what it costs to get there,
  // once per event, is most of what the observer costs.
  [[gnu::always_inline]] void after_event(Time t) {
    const NodeId acting = cluster_.acting();
    if (acting < servers() && cluster_.running(acting)) {  // kNoNode is above every server
      const auto& v = cluster_.typed_view(acting);
      if (!look_skippable(acting, v.summary())) look_changed_at(t, acting, typename SimulationRaftCluster<P>::TypedViews{cluster_});
    }
    if (has_queued_looks()) look_at_queued(t, acting);
    if (has_synced_states_due()) [[unlikely]] record_synced_states();
  }

 private:
  SimulationRaftCluster<P> cluster_;  // bound above before it is built: RaftObserver only keeps the reference
};

}  // namespace faultline

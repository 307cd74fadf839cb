// Simulation<P>: one seeded run of protocol P over the simulated network,
// with the scenario's faults.
//
// P is a protocol struct (each protocol has one in its binding/ folder, e.g.
// protocols/raft/binding/raft_protocol.hpp) that names:
//   using Node, Message, Reply, Params, Observer;
//   static constexpr TimerSlot kTimerSlots;
//   static std::string_view message_type(const Message&);
//   (optional) static const TraceText& message_type_text(const Message&);
//                                           // the same text, its hash words computed once
//                                           // (sim/trace/trace_text.hpp): hashed on every send
//   template <class F> static void message_fields(const Message&, F&& field);
//                                           // calls field(TraceField) per field of the message
//                                           // (the protocol's own message_fields, next to its messages)
//   static std::uint32_t message_bytes(const Message&);   // or (const Message&, const Params&)
//   static Node make_node(NodeId self, NodeId cluster_size, const Params&);
//                                           // or, where P names `using Shared` (state every node of
//                                           // the run shares, built from (const Params&, NodeId
//                                           // cluster_size)): make_node(self, cluster_size, Shared&)
// The Observer is P's checkers and metrics; it sees protocol events and faults
// (ObserverBase lists the hooks) and may read nodes through node().
//
// Determinism: all state lives in this object (no globals), events run in
// (time, sequence) order, every random draw comes from a stream derived from
// the master seed: nodes from Stream::kNode, the network from
// Stream::kNetwork, the nemesis from Stream::kNemesis, sync latencies from
// Stream::kDisk and timer jitter from Stream::kTimerJitter (per node).
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "protocols/host/host.hpp"
#include "sim/checkers/linearizability.hpp"
#include "sim/engine/cache_line_allocator.hpp"
#include "sim/engine/event_code.hpp"
#include "sim/engine/event_queue.hpp"
#include "sim/engine/huge_pages.hpp"
#include "sim/engine/message_pool.hpp"
#include "sim/engine/packed_message_pool.hpp"
#include "sim/faults/nemesis.hpp"
#include "sim/network/connectivity.hpp"
#include "sim/network/latency_sampler.hpp"
#include "sim/network/link_table.hpp"
#include "sim/node/memory_store.hpp"
#include "sim/node/node_clock.hpp"
#include "sim/node/node_status.hpp"
#include "sim/run/run_options.hpp"
#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_recorder.hpp"
#include "sim/workload/kv_workload.hpp"

namespace faultline {

template <class P>
class Simulation {
 public:
  using Node = typename P::Node;
  using Message = typename P::Message;
  using Reply = typename P::Reply;
  using Params = typename P::Params;

  // Copies `scenario` and `params`: the run owns what it keeps (see scenario_).
  Simulation(const Scenario& scenario, const Params& params, const RunOptions& options);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs to the end (duration, a stop condition, max_events or a violation)
  // and returns the result without expectations (see evaluate_expectations).
  RunResult run();

  // ---- For observers, checkers and tests ----
  Time now() const { return now_; }
  NodeId node_count() const { return static_cast<NodeId>(records_.size()); }
  const Node& node(NodeId n) const { return records_[n].node; }
  NodeStatus status(NodeId n) const { return records_[n].status; }
  bool is_running(NodeId n) const { return records_[n].status == NodeStatus::kRunning; }
  const Scenario& scenario() const { return scenario_; }
  const Params& params() const { return params_; }
  const Connectivity& connectivity() const { return connectivity_; }
  std::string node_name(NodeId n) const { return scenario_.node_name(n); }
  // Syncs node n began and completed since the run began (scenario `disk:`,
  // disk.ipp; both 0 without one, where a sync completes as it begins). A
  // crash with completed < begun loses the writes the later syncs cover.
  std::uint64_t syncs_begun(NodeId n) const { return disks_.empty() ? 0 : disks_[n].begun; }
  std::uint64_t syncs_completed(NodeId n) const { return disks_.empty() ? 0 : disks_[n].completed; }
  std::uint64_t messages_sent() const { return sent_; }
  std::uint64_t bytes_sent() const { return bytes_; }
  // Events pushed into the queue so far (a deferred timer's set pushes nothing, see kDefersTimers).
  std::uint64_t events_pushed() const { return queue_.pushed(); }
  // The node the latest delivery, timer or client request was handed to:
  // the one whose state the current event may have changed (restarts are
  // reported by on_restart).
  NodeId acting_node() const;
  // A broken safety invariant: recorded, and the run stops after this event.
  void report_violation(NodeId node, std::string invariant, std::string message);
  // A stop condition held: the run ends after this event.
  void request_stop(std::string reason) {
    if (stop_reason_.empty()) stop_reason_ = std::move(reason);
  }
  // Asks node n to handle a client request (for workload drivers).
  template <class Request>
  void client_request(NodeId n, ClientId client, const Request& request);

 private:
  class NodeHost;
  friend class NodeHost;

  // P::message_fields is required: every protocol says what its messages
  // carry on their trace lines (docs/trace-format.md, "Message fields").
  static_assert(requires(const Message& m, void (*field)(const TraceField&)) { P::message_fields(m, field); },
                "a protocol binding must define static message_fields(const Message&, F&& field)");
  static void write_message_fields(const void* message, TraceRecorder& to) {
    P::message_fields(*static_cast<const Message*>(message), [&to](const TraceField& f) { to.append_field(f); });
  }
  static MessageFields fields_of(const Message& m) { return {&m, &Simulation::write_message_fields}; }

  // A message in flight, in a slot of pool_ until it is delivered or
  // dropped (sim/engine/message_pool.hpp: slots that never move, so a
  // delivery hands the receiver the message where it lies).
  using InFlight = typename MessagePool<Message>::Slot;
  // P may say how a message fits in 64 bits: P::pack(message, out) returns
  // false where it does not, P::unpack(bits) gives the same message back.
  // Such a message waits in a 24-byte slot of packed_pool_ instead of a
  // full one (a gossip push: 64 bytes); at a million nodes about a million
  // wait at once (sim/engine/packed_message_pool.hpp). Delivery slots with
  // kPackedSlot set index packed_pool_. A message whose send time, cut
  // version or id do not fit the slot (PackedInFlight::fits) waits in the
  // full pool instead.
  using PackedInFlight = PackedMessagePool::Slot;
  // What a delivery reads of a slot, of either kind.
  static Time sent_at_of(const InFlight& m) { return m.sent_at; }
  static Time sent_at_of(const PackedInFlight& m) { return m.sent_at(); }
  static std::uint32_t cut_version_of(const InFlight& m) { return m.cut_version; }
  static std::uint32_t cut_version_of(const PackedInFlight& m) { return m.cut_version(); }
  static std::uint64_t id_of(const InFlight& m) { return m.id; }
  static std::uint64_t id_of(const PackedInFlight& m) { return m.id; }
  static constexpr bool kPacks = requires(const Message& m, std::uint64_t& bits) {
    { P::pack(m, bits) } -> std::same_as<bool>;
    { P::unpack(bits) } -> std::same_as<Message>;
  };
  static constexpr std::uint32_t kPackedSlot = std::uint32_t{1} << 31;
  static Message message_of(const PackedInFlight& m)
    requires kPacks
  {
    return P::unpack(m.message);
  }

  // Network
  void send(NodeId from, NodeId to, Message&& message);
  // Out of line, so a send keeps the smaller frame of its common path.
  [[noreturn, gnu::noinline, gnu::cold]] void throw_no_such_node(NodeId from, NodeId to) const;
  // Schedules the delivery: the latency drawn, the message in a slot.
  // enqueue is inline in send's reliable-link path (a call and its frame
  // per send fewer); enqueue_copy is it out of line, for the other paths.
  [[gnu::always_inline]] inline void enqueue(NodeId from, NodeId to, const LatencySpec& latency, Message&& message,
                                      std::uint64_t id);
  void enqueue_copy(NodeId from, NodeId to, const LatencySpec& latency, Message&& message, std::uint64_t id) {
    enqueue(from, to, latency, std::move(message), id);
  }
  void drop(NodeId from, NodeId to, const Message& message, std::uint64_t id, DropReason reason);
  void drop_in_flight(std::uint32_t slot, NodeId to, DropReason reason);  // and frees the slot
  void on_deliver(std::uint32_t slot, NodeId to, bool from_backlog);
  // Whether a delivery of a message sent at `sent_at` with `cut_version`
  // goes on to its receiver; if not, the slot has been dropped and freed,
  // or (a paused receiver) put in its backlog.
  [[gnu::always_inline]] inline bool delivery_goes_on(std::uint32_t slot, NodeId to, bool from_backlog, Time sent_at, std::uint32_t cut_version,
                        NodeId from);
  void deliver_packed(std::uint32_t index, std::uint32_t slot, NodeId to, bool from_backlog)
    requires kPacks;
  std::size_t in_flight() const { return pool_.in_use() + packed_pool_.in_use(); }

  // Timers and clocks
  void set_timer(NodeId n, TimerSlot slot, Duration after);
  void cancel_timer(NodeId n, TimerSlot slot) {
    ++records_[n].timer_generation[slot];
    if constexpr (kDefersTimers) records_[n].deferred[slot].queued_at = kNotQueued;
  }
  void on_timer(std::uint64_t code);
  // Whether a timer event is stale: its slot was re-armed, cancelled or
  // fired, or its node crashed, since it was pushed (generations only grow:
  // once stale, stale for good, up to the 24-bit field's wrap, see
  // StaleTimer).
  [[gnu::always_inline]] bool timer_stale(std::uint64_t code) const {
    return (records_[EventCode::timer_node(code)].timer_generation[EventCode::timer_slot(code)] &
            EventCode::kGenerationMask) != EventCode::timer_generation(code);
  }
  Time local_now(NodeId n) const;

  // Faults
  NodeId current_leader() const;  // the observer's, for protocols with leaders; kNoNode otherwise
  void apply_fault(const FaultEvent& f);
  void queue_undo(FaultEvent::Kind kind, NodeId n, Time at);  // a crash or pause with `for` undone at `at`
  void on_nemesis(std::uint32_t token);
  void crash(NodeId n, std::string_view cause);
  void restart(NodeId n, std::string_view cause);
  void pause(NodeId n, std::string_view cause);
  void resume(NodeId n, std::string_view cause);
  void heal(std::string_view cause);
  // A node's storage, made on its first use (the common path inline: a
  // Raft server stores on every append).
  [[gnu::always_inline]] MemoryStore& store(NodeId n) {
    if (!stores_.empty() && stores_[n]) [[likely]] return *stores_[n];
    return make_store(n);
  }
  [[gnu::noinline]] MemoryStore& make_store(NodeId n);

  // Disk (scenario `disk:`): syncs that take time, and what waits for them
  void begin_sync(NodeId n);
  bool holds_output(NodeId n) const {
    return !disks_.empty() && (disks_[n].completed < disks_[n].begun || !disks_[n].held.empty());
  }
  void hold(NodeId n, std::variant<std::pair<NodeId, Message>, std::pair<ClientId, Reply>>&& output);
  void deliver_reply(NodeId n, ClientId client, Reply&& reply);
  void on_sync_done(std::uint64_t code);
  void release_held(NodeId n);
  void lose_outstanding_syncs(NodeId n);

  void start_node(NodeId n);
  // Every input (a delivery, a timer, a client request, a start) is handed
  // to node n through here: the observer's on_input, if it has one, then the
  // host bound to n.
  void hand_input_to(NodeId n) {
    if constexpr (requires { observer_.on_input(now_, n); }) observer_.on_input(now_, n);
    host_->bind(n);
  }
  Node make_node(NodeId n) {
    if constexpr (kHasShared) return P::make_node(n, scenario_.node_count(), *shared_state_);
    else return P::make_node(n, scenario_.node_count(), params_);
  }
  void dispatch(const Event& e);
  void finish(RunResult& result);
  static void prefetch_for(void* self, std::uint64_t payload);
  static constexpr std::size_t kPrefetchAboveBytes = std::size_t{4} << 20;
  // Every line of the record's first `bytes`: an 80-byte record starts 0,
  // 16, 32 or 48 bytes into a line, so even its first 32 bytes may span two.
  // (Prefetching the last byte too: a line asked for twice costs nothing.)
  void prefetch_record(NodeId n, std::size_t bytes = sizeof(NodeRecord)) const {
    const char* p = reinterpret_cast<const char*>(&records_[n]);
    for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset);
    __builtin_prefetch(p + bytes - 1);
  }
  void check_client_history(Metrics& metrics);
  // `stop: {when: quiescent}`: nothing in flight (paused nodes' backlogs
  // included), no fault, nemesis or client event still to come, and every
  // node that is not crashed says quiescent() (P::Node declares it: nothing
  // it has scheduled can change any node's state; its idle timers may fire).
  bool quiescent_now();

  // Copies owned by the run: nodes, observers, the nemesis and the trace keep
  // pointers into them for the whole run, so they must outlive every one of
  // those whatever the caller passed (a temporary Params is fine). Declared
  // first, so they are built before anything that points into them.
  const Scenario scenario_;
  const Params params_;
  RunOptions options_;
  // What P's nodes share for the run (P::Shared), if P names it; nodes
  // point into it, so it comes before the records.
  static constexpr bool kHasShared = requires { typename P::Shared; };
  struct NoShared {};
  static auto make_shared_state(const Params& params, NodeId cluster_size) {
    if constexpr (kHasShared) return std::make_unique<typename P::Shared>(params, cluster_size);
    else return NoShared{};
  }
  decltype(make_shared_state(std::declval<const Params&>(), NodeId{})) shared_state_;

  // Stale timers dropped unseen. The pop of a stale timer does nothing
  // but set now_ to its time and call the observer's after_event (on_timer
  // returns at once; timers are not counted as events). Where P declares
  // kDropStaleTimers, such a pop is invisible: its observer has no
  // after_event, or one that, called again with no event in between (at
  // any later time), changes and reports nothing; then the queue may drop
  // the timer when it moves or sorts it, and run() skips one that reaches
  // the top (see EventQueue, "Dead events"). In the Raft benchmark about a
  // quarter of all pops were such timers (docs/performance.md, 2 Dec 2026,
  // helper h1). Opt-in, as it costs where timers are seldom re-armed: each
  // timer moved reads its node's generation (push gossip at 100,000 nodes,
  // periodic timers, took 3.9% more instructions). run() turns the
  // dropping on only where a stale pop shows nowhere else (see run()).
  static constexpr bool kDropsStaleTimers = requires { requires P::kDropStaleTimers; };
  // The queue's DeadTest: a stale timer, once run() has turned dropping on
  // (sim set). Exact but for the wrap of the payload's 24-bit generation: a
  // timer dropped here, whose slot then moved on by a multiple of 2^24
  // before its time, would have been taken for live at its pop (such a
  // firing of a re-armed timer is a misreading the field's width allows,
  // not a behaviour to keep).
  struct StaleTimer {
    static constexpr bool kDrops = kDropsStaleTimers;
    const Simulation* sim = nullptr;
    [[gnu::always_inline]] bool operator()(std::uint64_t payload) const {
      return EventCode::kind(payload) == EventKind::kTimer && sim != nullptr && sim->timer_stale(payload);
    }
  };
  // Timers moved later without a push (where stale timers drop): a timer
  // set again to fire later than its live event in the queue keeps that
  // event and notes the new deadline; the event, popped before the
  // deadline, is pushed again at it, unseen (as a stale pop is). A
  // follower's election timer is set again on every AppendEntries: in the
  // Raft scenarios a fifth to a quarter of all pushes go (docs/performance.md,
  // 2 Dec 2026, third session).
  // Same order as a push at every set, but in one case: the event pushed
  // again ties, to the nanosecond, with one pushed between the set and its
  // pop; it then pops after that event, not before (deterministic either
  // way). A set at exactly the queued time pushes, so that tie cannot
  // arise there. No trace hash changed: 3,000 sweep seeds of five Raft and
  // libraft scenarios, every shipped scenario at seeds 1 to 3.
  static constexpr bool kDefersTimers = kDropsStaleTimers;
  static constexpr Time kNotQueued = -1;
  struct DeferredTimer {
    Time deadline = 0;             // when the slot fires, as last set
    Time queued_at = kNotQueued;   // the slot's live event in the queue, at this time (kNotQueued: none)
  };
  struct NoDeferredTimers {};
  bool defer_timers_ = false;  // on with dropping (run())
  BasicEventQueue<StaleTimer> queue_;
  Time now_ = 0;
  std::uint64_t events_ = 0;

  // Everything the engine touches about a node on an event, side by side,
  // so an event costs one or two cache lines rather than one per array (it
  // matters at a million nodes, where every line is a miss).
  // Invariants: status == kCrashed <=> `node` is freshly made and not yet
  // started; timer_generation[s] changes whenever slot s is set, cancelled
  // or fired, and on every crash.
  // Order: the node first, whose own hot fields come first where the
  // protocol orders them so (a gossip node's versions and counter, in its
  // first 28 bytes), then what the engine reads (timer generations,
  // status), then the random stream, which only a node that sends or draws
  // reads. The crash time is not here but in last_crash_, which only runs
  // with crashes allocate. A gossip node (36 bytes, aligned to 4) with its
  // generations and status fills the 48 bytes before the stream: 80 bytes a
  // node, 96 with the crash time here.
  struct NodeRecord {
    Node node;
    std::array<std::uint32_t, P::kTimerSlots> timer_generation{};
    NodeStatus status = NodeStatus::kRunning;
    Rng rng;
    [[no_unique_address]] std::conditional_t<kDefersTimers, std::array<DeferredTimer, P::kTimerSlots>, NoDeferredTimers>
        deferred{};
  };
  // Whether node n crashed at or after `sent_at` (a message sent then is lost).
  bool crashed_since(NodeId n, Time sent_at) const { return !last_crash_.empty() && last_crash_[n] >= sent_at; }
  // What of a receiver's record a delivery is sure to read: P says so with
  // kDeliveryReadsBytes (a gossip node: its first cache line), else all of it.
  static constexpr std::size_t kDeliveryPrefetchBytes = [] {
    if constexpr (requires { P::kDeliveryReadsBytes; }) return std::min<std::size_t>(P::kDeliveryReadsBytes, sizeof(NodeRecord));
    else return sizeof(NodeRecord);
  }();
  // From a cache line on: a record whose size is a multiple of 64 bytes
  // lies on its own lines, two where it straddled three.
  std::vector<NodeRecord, CacheLineAllocator<NodeRecord>> records_;
  // Each node's latest crash time (-1: never); empty until a node first
  // crashes (a run without crashes keeps 8 bytes a node fewer).
  std::vector<Time> last_crash_;
  std::vector<std::unique_ptr<MemoryStore>> stores_;   // empty until a node first stores; each allocated on first use
  std::map<NodeId, NodeClock> drifting_;               // only nodes with drift
  std::map<NodeId, std::vector<std::uint64_t>> backlog_;  // paused nodes: events in arrival order

  // Network
  LinkTable links_;
  Connectivity connectivity_;
  Rng network_rng_;
  MessagePool<Message> pool_;
  PackedMessagePool packed_pool_;  // empty unless kPacks (sim/engine/packed_message_pool.hpp)
  std::unordered_map<std::uint64_t, Time> last_arrival_;  // fifo only; looked up, never iterated

  // The restarts and resumes of timeline crashes and pauses with `for`
  // (FaultEvent::undo_after), queued as they apply: kFault events past
  // scenario_.faults index into it. A deque: a fault applied from it keeps its address.
  std::deque<FaultEvent> undo_faults_;

  Nemesis nemesis_;
  std::vector<NemesisAction> nemesis_actions_;
  std::vector<NemesisWakeup> nemesis_wakeups_;

  TraceRecorder trace_;
  // Clients, for protocols that speak the key-value client protocol and
  // scenarios with a workload; their history is checked for
  // linearizability when the run ends.
  static constexpr bool kHasKvClients = std::is_same_v<typename P::Reply, kv::Reply>;
  std::unique_ptr<KvWorkload> workload_;
  typename P::Observer observer_;
  std::unique_ptr<NodeHost> host_;

  // Disk: one per node when the scenario has `disk:`, else empty.
  // Invariants: completed <= begun (syncs counted since the run began; a
  // crash counts the outstanding ones as completed, void, and bumps epoch);
  // syncs complete in the order they began (last_done only grows between
  // crashes); every held output has after_sync <= begun, in the order the
  // node made them, and leaves once completed >= after_sync.
  struct HeldOutput {
    std::uint64_t after_sync;
    std::variant<std::pair<NodeId, Message>, std::pair<ClientId, Reply>> output;  // a send or a client reply
  };
  struct NodeDisk {
    const LatencySpec* latency = nullptr;
    Rng rng;
    std::uint64_t begun = 0, completed = 0;
    Time last_done = 0;
    std::uint32_t epoch = 0;
    std::int64_t factor_permille = 1000;  // slow_disk
    std::deque<HeldOutput> held;
  };
  std::vector<NodeDisk> disks_;
  // Timer jitter: one per node when the scenario has `timers:`, else empty.
  struct NodeJitter {
    const LatencySpec* latency;
    Rng rng;
  };
  std::vector<NodeJitter> jitter_;

  // Counters
  std::uint64_t sent_ = 0, delivered_ = 0, dropped_ = 0, duplicated_ = 0, bytes_ = 0;
  std::uint64_t dropped_by_[3] = {0, 0, 0};
  std::vector<Violation> violations_;
  std::string stop_reason_;
  // Stop when quiescent (see quiescent_now). Invariant: world_events_pending_
  // counts the fault, nemesis and client events in queue_.
  bool stop_when_quiescent_ = false;
  std::uint64_t world_events_pending_ = 0;
  NodeId busy_node_hint_ = 0;  // the node last found not quiescent, asked first next time
  // Whether any node has crashed or paused yet. Invariant: while false,
  // every record has status kRunning and last_crash_ is empty, so a
  // delivery need not read them (nor their cache line).
  bool ever_down_ = false;
};

}  // namespace faultline

// ---- The member definitions ----
// Simulation<P> is a template, so its definitions must be visible wherever it
// is instantiated: they are in sim/simulation/, one part per concern, and
// included here, after the class, and nowhere else (no part includes another).
#include "sim/simulation/node_host.ipp"  // NodeHost: the Host a node calls
#include "sim/simulation/run.ipp"        // construction, event loop, end of run
#include "sim/simulation/network.ipp"    // send, loss, duplication, delivery
#include "sim/simulation/timers.ipp"     // timers, drifting clocks, storage
#include "sim/simulation/disk.ipp"       // syncs that take time, held output
#include "sim/simulation/faults.ipp"     // crash, restart, pause, partitions, nemesis

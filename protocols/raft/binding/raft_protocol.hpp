// The Raft binding's protocol struct. Its checkers and metrics are the Raft
// observer's (raft_observer.hpp), which reads each RaftNode through
// raft::RaftNodeView.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <utility>

#include "protocols/raft/raft_node.hpp"
#include "protocols/raft/raft_node_view.hpp"
#include "protocols/raft/binding/raft_observer.hpp"
#include "sim/scenario/yaml_section.hpp"
#include "sim/trace/trace_text.hpp"

namespace faultline {

struct RaftProtocol {
  using Node = raft::RaftNode;
  using Message = raft::Message;
  using Reply = kv::Reply;
  using Params = raft::Params;
  using StateView = raft::RaftNodeView;
  using Observer = RaftObserverFor<RaftProtocol>;
  // Stale timers may be dropped unseen (Simulation::kDropsStaleTimers): a
  // follower re-arms its election timer on every AppendEntries (a quarter
  // of the benchmark's pops were stale timers), and the observer's
  // after_event, called again with no event in between (at a later time,
  // nothing changed), changes and reports nothing:
  // its look at the acting server finds it unchanged (look_skippable), or,
  // where the last look itself moved committed_.epoch() or a leader awaits
  // establishment, repeats a look whose every transition (candidacy,
  // election, step-down, newly applied or committed entries, established)
  // the last look recorded, and whose checks repeat on the same inputs; a
  // violation the last look found stopped the run; the queued looks were
  // cleared.
  static constexpr bool kDropStaleTimers = true;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return raft::message_type_name(m); }
  // message_type_name's text with its trace hash words made at compile
  // time, from the same names: folded on every send without reading its
  // bytes (the same hash; tests/raft/raft_message_type_text_test.cpp).
  static const TraceText& message_type_text(const Message& m) {
    static constexpr auto kTypes = []<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<TraceText, sizeof...(I)>{TraceText(raft::kMessageTypeNames[I])...};
    }(std::make_index_sequence<std::size(raft::kMessageTypeNames)>{});
    return kTypes[raft::message_type_index(m)];
  }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { raft::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return raft::message_bytes(m); }
  // What a run's servers share: their parameters, and the commands their
  // logs were given, so a restarted server's reload takes those its records
  // hold byte for byte instead of decoding them again (raft_log.hpp).
  struct Shared {
    Shared(const Params& p, NodeId) : params(p) {}
    const Params params;
    raft::DecodedCommands decoded;
  };
  static Node make_node(NodeId self, NodeId n, Shared& shared) { return Node(self, n, shared.params, &shared.decoded); }
};

// The observer's look at a server that changed, compiled apart from the
// run loop that calls it (raft_observer_typed.cpp): in the loop's own unit
// it left the compiler less room to inline the loop's once-per-event parts.
extern template void RaftObserver::look_changed_at<SimulationRaftCluster<RaftProtocol>::TypedViews>(
    Time, NodeId, const SimulationRaftCluster<RaftProtocol>::TypedViews&);

// The scenario's Raft parameters, as `faultline run` reads them (for tests
// that build a Simulation<P> of their own).
raft::Params raft_params_of(const Scenario& s);

// A section of Raft parameters read as `raft` reads its `params` (for a
// protocol that runs Raft inside, as `consul` does on its servers).
raft::Params read_raft_params(YamlSection& params, NodeId nodes);

}  // namespace faultline

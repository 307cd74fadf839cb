// Clients of a replicated key-value store, and the history they record.
//
// Each client is closed-loop, as in Jepsen: it issues one operation, waits
// for the answer, thinks (exponential, so the clients together offer `rate`
// requests per second), and issues the next. A request goes to the node the
// client believes leads; "not leader" sends it to the hint (or another node)
// at once; silence for `request_timeout` sends the same request (same session
// sequence, so it applies once) to another node. After kMaxAttempts the
// client gives up: the operation stays in the history unanswered (it may or
// may not have taken effect) and the client moves on.
//
// Client <-> node messages take one draw of the scenario's default latency
// and are not subject to partitions or loss: clients stand for processes
// next to the cluster, and what is under test is the cluster.
//
// Everything is driven by the simulation's clock through two hooks (its
// wake-ups scheduled, its requests delivered), and all randomness comes from
// Stream::kWorkload.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/host/rng.hpp"
#include "protocols/host/trace_field.hpp"
#include "protocols/kv/kv_client_protocol.hpp"
#include "sim/checkers/kv_client_history.hpp"
#include "sim/engine/event_code.hpp"
#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_recorder.hpp"

namespace faultline {

class KvWorkload {
 public:
  static constexpr int kMaxAttempts = 6;
  static constexpr int kMaxOperatorAttempts = 40;

  // Plain function pointers and the trace recorder itself: a trace event is
  // hashed inline (the std::function hooks they replace cost more per call,
  // and the trace hook a list of fields built and read again).
  struct Hooks {
    // on_event(token) is called at `at` for each kClient event with payload
    // EventCode::make(kClient, token) that schedule(context, at, payload)
    // puts in the run's queue (a plain function: the queue's type depends on
    // the protocol, see Simulation::StaleTimer).
    void* context = nullptr;
    void (*schedule)(void* context, Time at, std::uint64_t payload) = nullptr;
    // Hands a request to a node now: deliver(context, node, client, request).
    void (*deliver)(void* context, NodeId node, ClientId client, const kv::Request& request) = nullptr;
    // Optional: each operation of the history as trace events, `invoke`
    // when issued and `complete` when its outcome is known (ok, fail: a cas
    // that did not swap, unknown: the client gave up or the run ended first).
    TraceRecorder* trace = nullptr;
  };

  KvWorkload(const WorkloadSpec& spec, const LatencySpec& latency, NodeId nodes, Time run_end, std::uint64_t seed,
             Hooks hooks);

  void start();
  // An operator request (add or remove a server, transfer leadership), sent
  // now by a client of its own: it follows "not leader" hints and retries,
  // but it is not part of the key-value history.
  void admin(Time now, kv::Request request);
  void on_event(Time now, std::uint64_t token);
  // A node answered (called at the node's time; the answer travels back).
  void on_reply(Time now, const kv::Reply& reply);
  // Metrics of the run; the history is complete after this.
  void finish(Time end, Metrics& metrics);

  // The client history (one record per operation, kept per key).
  const KvClientHistory& history() const { return history_; }

 private:
  enum class Wake : std::uint8_t { kThink = 0, kArrive = 1, kTimeout = 2, kReply = 3 };
  struct Client {
    std::uint64_t sequence = 0;   // of the current operation
    int attempt = 0;              // of the current operation
    bool busy = false;            // an operation is outstanding
    KvClientHistory::Place history_place;  // of the current operation
    NodeId target = 0;            // where the current attempt went
    kv::Request request;
    // Per key: the last value this client read or wrote, for cas, in 8 bytes
    // rather than a string's 32 (a table of clients x keys: 2 MB in the hour
    // of Raft, a cache miss per completion): 0 is "", (text << 1) a value
    // read (a history text), (sequence << 1) | 1 its own write of that
    // request, kv_written_value(client, sequence).
    std::vector<std::uint64_t> last_seen;
  };

  // A wake-up: bits 0..2 what, 3..31 extra (the target node of an arrival,
  // the attempt of a timeout), 32..63 the client (or the reply slot).
  static std::uint64_t token(Wake w, std::uint64_t index, std::uint64_t extra = 0) {
    return (index << 32) | ((extra & 0x1FFFFFFF) << 3) | static_cast<std::uint64_t>(w);
  }
  static std::uint64_t timeout_tag(std::uint64_t sequence, int attempt) {
    return ((sequence & 0x3FFFFFF) << 3) | static_cast<std::uint64_t>(attempt & 7);
  }
  Duration latency();
  [[gnu::always_inline]] void schedule(Time at, std::uint64_t token) {
    hooks_.schedule(hooks_.context, at, EventCode::make(EventKind::kClient, token));
  }
  void think(ClientId c, Time now);
  void issue(ClientId c, Time now);
  void send_attempt(ClientId c, Time now, NodeId target);
  NodeId other_node(NodeId not_this);
  void trace_invoke(Time now, const kv::Request& r, std::uint32_t key_index);
  void trace_complete(Time now, const KvRecord& op, const TraceText& result);
  // A key's name as trace text (made once for the keys kept apart).
  template <class F>
  void with_key_text(std::uint32_t key_index, F&& f);

  WorkloadSpec spec_;
  const LatencySpec& latency_;
  NodeId nodes_;
  Time stop_;
  Rng rng_;
  Probability read_;  // an operation is a get: spec_.read_fraction
  Hooks hooks_;
  std::vector<Client> clients_;
  std::vector<kv::Reply> replies_in_flight_;  // indexed by kReply tokens
  std::vector<std::uint32_t> free_replies_;
  // Up to this many keys get a name made once and a history group of their
  // own; beyond it, keys share groups (the checker sorts them out by key).
  static constexpr std::uint32_t kKeysKeptApart = 1 << 16;
  KvClientHistory history_;
  std::vector<std::string> key_names_;  // "k0", "k1", ...: made once
  std::vector<TraceText> key_texts_;    // of key_names_, when tracing
  static constexpr int kClientOpKinds = 4;
  static_assert(static_cast<int>(kv::OpKind::kCas) == kClientOpKinds - 1);
  std::vector<TraceText> op_texts_;     // by kv::OpKind, of get, put, append and cas, when tracing
  double think_mean_ns_;                // a client's mean think time
  std::uint64_t redirects_ = 0, timeouts_ = 0;
  // Answered operations so far, the time of the last answer, and the
  // longest time between two answers (finish's commit_gap_max_ns).
  std::uint64_t answered_ = 0;
  Time last_ok_ = 0;
  Duration longest_gap_ = 0;
  // Clients from spec_.clients on are operator clients, one per request.
  bool is_operator(ClientId c) const { return c >= spec_.clients; }
  int max_attempts(ClientId c) const { return is_operator(c) ? kMaxOperatorAttempts : kMaxAttempts; }
  std::uint64_t admin_issued_ = 0, admin_ok_ = 0;
};

}  // namespace faultline

// The adapter between one libraft instance and faultline's Host: struct
// raft_io (libraft_io.cpp) and struct raft_fsm plus the client interface
// (libraft_server.cpp).
//
// Re-entrancy: libraft requires that no I/O callback runs inside the call
// that started the request. Every completion (send, append, snapshot put
// and get) is queued and runs from the kIoTimer timer, armed with zero
// delay, so it runs in a later event at the same virtual time.
//
// Durability (DurableStore): term and vote are written and synced before
// set_term / set_vote / bootstrap return. append, truncate and snapshot_put
// write at once and are synced when their completion runs, right before
// the callbacks: a crash in between loses them, as a crash before fsync
// does. With a scenario `disk`, the sync itself takes time and the host
// holds every send and reply that follows it until it completes.
//
// Process-wide state of the library, neutralised (so that runs in one
// process, on any number of threads, stay independent and deterministic):
//  - the tracer: raft_init points r->tracer at the library's global
//    StderrTracer and, when the LIBRAFT_TRACE environment variable is set,
//    enables it (writing the global, and later printing wall-clock stamps to
//    stderr). Right after raft_init, before the library runs anything else,
//    the adapter points r->tracer at this server's own disabled tracer, so
//    nothing is ever printed and no global tracer is read again. (The write
//    raft_init itself makes to the global stores the same value each time.)
//  - the heap: the library's default (malloc) is kept; raft_heap_set is
//    never called, since it is process-wide.
//  - randomness and time: libraft 0.15's core has none of its own; it calls
//    io->random (the node's Rng stream) and io->time (the node's clock).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "protocols/libraft/raft_c.hpp"

#include "protocols/kv/kv_store.hpp"
#include "protocols/libraft/libraft_node.hpp"

namespace faultline::libraft {

class LibraftServer {
 public:
  using HostT = LibraftNode::HostT;

  LibraftServer(NodeId self, NodeId cluster_size, const Params& params);
  // raft_close, then every pending I/O request completes with RAFT_CANCELED,
  // so the library frees all it allocated.
  ~LibraftServer();

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT& host, TimerSlot slot);
  void on_client_request(HostT& host, ClientId client, const kv::Request& r);

  // For the view.
  const struct raft& raft() const { return raft_; }
  bool started() const { return started_; }
  bool unavailable() const { return unavailable_; }
  // The log as written through raft_io.
  struct LogEntry {
    raft_term term;
    std::uint64_t digest;
  };
  raft_index log_base() const { return log_base_; }
  raft_term log_base_term() const { return log_base_term_; }
  raft_index log_last() const { return log_base_ + shadow_.size(); }
  const LogEntry& log_at(raft_index i) const { return shadow_[i - log_base_ - 1]; }
  std::uint64_t applied_count() const { return applied_count_; }
  const AppliedCommand* applied(std::uint64_t number) const;

  // raft_io (libraft_io.cpp). Static trampolines in the .cpp call these.
  int io_load(raft_term* term, raft_id* voted_for, raft_snapshot** snapshot, raft_index* start_index,
              raft_entry** entries, size_t* n_entries);
  int io_start(unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv);
  void io_close(raft_io_close_cb cb);
  int io_bootstrap(const raft_configuration* conf);
  int io_set_term(raft_term term);
  int io_set_vote(raft_id id);
  int io_send(raft_io_send* req, const raft_message* message, raft_io_send_cb cb);
  int io_append(raft_io_append* req, const raft_entry entries[], unsigned n, raft_io_append_cb cb);
  int io_truncate(raft_index index);
  int io_snapshot_put(unsigned trailing, raft_io_snapshot_put* req, const raft_snapshot* snapshot,
                      raft_io_snapshot_put_cb cb);
  int io_snapshot_get(raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb);
  raft_time io_time() const;
  int io_random(int min, int max);

  // raft_fsm (libraft_server.cpp).
  int fsm_apply(const raft_buffer* buf, void** result);
  int fsm_snapshot(raft_buffer* bufs[], unsigned* n_bufs);
  int fsm_restore(raft_buffer* buf);

 private:
  friend struct ClientCall;
  // Runs `fn` with the host bound, then reports what changed.
  template <class Fn>
  void with_host(HostT& host, Fn&& fn);
  void note_changes();
  void defer(std::function<void(int)> completion);
  void run_completions();
  void deliver(NodeId from, const Message& m);
  void reply_not_leader(ClientId client, const kv::Request& r);
  void on_admin_request(ClientId client, const kv::Request& r);
  NodeId leader_hint();
  void shadow_append(raft_term term, unsigned short type, const void* data, std::size_t len);
  void write_snapshot(const raft_snapshot& s);

  NodeId self_, n_;
  Params params_;
  HostT* host_ = nullptr;  // bound for the duration of a call from the host
  raft_time last_time_ms_ = 0;

  struct raft raft_ {};
  raft_io io_{};
  raft_fsm fsm_{};
  raft_tracer tracer_{};  // disabled: see the header comment
  std::vector<std::string> addresses_;  // "1".."n": raft_id i+1 is node i
  bool initialized_ = false, started_ = false, closing_ = false, unavailable_ = false;

  raft_io_tick_cb tick_cb_ = nullptr;
  raft_io_recv_cb recv_cb_ = nullptr;
  Duration tick_interval_ = 0;

  std::deque<std::function<void(int)>> completions_;  // in the order requested
  bool io_timer_armed_ = false;
  bool unsynced_ = false;

  // The log as written through raft_io: entries log_base_+1 .. log_last().
  raft_index log_base_ = 0;
  raft_term log_base_term_ = 0;
  std::deque<LogEntry> shadow_;

  kv::KvStore store_;
  kv::Reply last_reply_;  // what fsm_apply answered, read by the apply callback that follows it
  std::uint64_t applied_count_ = 0;
  std::deque<AppliedCommand> applied_;  // the latest applied commands (at most kKeepApplied)
  static constexpr std::size_t kKeepApplied = 4096;

  // For trace events on changes.
  int last_state_ = RAFT_UNAVAILABLE;
  raft_term last_term_ = 0;
};

}  // namespace faultline::libraft

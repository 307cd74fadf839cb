// A server of canonical/raft 0.15 (libraft, unmodified, linked from the
// Debian package) as a faultline protocol node.
//
// The library is built around a pluggable I/O interface (struct raft_io) and
// a state machine interface (struct raft_fsm). LibraftServer
// (libraft_server.hpp) implements both on faultline's Host: ticks on a host
// timer, time and randomness from the host, sends through the simulated
// network, the log and snapshots on the node's durable storage, and the
// key-value store (protocols/kv) as the state machine. The library itself
// calls no clock, thread or socket of its own when given this raft_io.
//
// A LibraftNode owns its server on the heap: struct raft points into itself
// (io->data, fsm->data), so it must not move while the library holds it.
// A crash destroys the node (raft_close, every library allocation freed);
// on_start of a fresh node runs raft_init and raft_start again, and load
// recovers exactly what was synced.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "protocols/host/host.hpp"
#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/libraft/libraft_messages.hpp"
#include "protocols/libraft/libraft_params.hpp"
#include "protocols/raft/raft_state_view.hpp"

namespace faultline::libraft {

class LibraftServer;

// One command the state machine applied, for checkers: its log index, the
// term of its entry and the digest of its request (kv::digest).
struct AppliedCommand {
  std::uint64_t index = 0, term = 0, digest = 0;
};

class LibraftNode final : public raft::RaftStateView {
 public:
  using HostT = Host<Message, kv::Reply>;
  static constexpr TimerSlot kTickTimer = 0;  // raft_io's tick
  static constexpr TimerSlot kIoTimer = 1;    // I/O completions (sync, then callbacks)
  static constexpr TimerSlot kTimerSlots = 2;

  LibraftNode(NodeId self, NodeId cluster_size, const Params& params);
  ~LibraftNode() override;
  LibraftNode(LibraftNode&&) noexcept;
  LibraftNode& operator=(LibraftNode&&) noexcept;

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT& host, TimerSlot slot);
  void on_client_request(HostT& host, ClientId client, const kv::Request& r);

  // raft::RaftStateView. Role, term, vote, commit and applied index come
  // from struct raft's public fields; the log is the one the library wrote
  // through raft_io (written, synced or about to be: what a restart may
  // recover), kept by the adapter because libraft's own log is internal.
  // match_index is not exposed (std::nullopt): libraft's progress counts a
  // follower's leftover entries of earlier terms (libraft_node.cpp).
  raft::ViewRole role() const override;
  raft::ViewTerm current_term() const override;
  std::optional<NodeId> voted_for() const override;
  raft::ViewIndex commit_index() const override;
  raft::ViewIndex last_applied() const override;
  raft::ViewIndex log_base_index() const override;
  raft::ViewIndex log_last_index() const override;
  raft::ViewTerm term_at(raft::ViewIndex i) const override;
  std::uint64_t entry_digest(raft::ViewIndex i) const override;
  std::optional<raft::ViewIndex> match_index(NodeId server) const override;
  bool leadership_established() const override;

  // The library turned itself unavailable (RAFT_UNAVAILABLE after an I/O
  // error) while it should be running.
  bool unavailable() const;
  // Commands applied since this node started, numbered from 1: the
  // `count`-th and later ones still kept (the latest few thousand).
  std::uint64_t applied_count() const;
  const AppliedCommand* applied(std::uint64_t number) const;

 private:
  std::unique_ptr<LibraftServer> server_;
};

}  // namespace faultline::libraft

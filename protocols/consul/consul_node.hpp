// A node of a Consul-shaped cluster (Consul's architecture: a few servers
// replicate the catalog with Raft; every node runs an agent in one SWIM
// gossip pool). A composite of unmodified sans-IO protocols, each behind a
// sub-host (protocols/host/sub_host.hpp):
//   server (nodes 0 .. servers-1): a raft::RaftNode over the catalog (Raft's
//          key-value store, keys in catalog.hpp) and a swim::SwimNode;
//   agent  (the others): a swim::SwimNode, its local services (Params::services),
//          each with a health check run every check_interval, and anti-entropy
//          of them to the servers by RPC.
// The inner protocols know nothing of each other. The one local interface
// between them is the composite's: the membership SWIM reports on this node
// (its alive/suspect/dead/left events, and its view) is read by the server's
// reconciler, which, while its Raft node leads, writes what gossip says into
// the catalog through Raft's client path, as a local client whose replies
// the composite keeps (Consul's leader.go: reconcileMember, on every
// membership change, on gaining leadership, and every reconcile_interval).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocols/consul/catalog.hpp"
#include "protocols/consul/consul_messages.hpp"
#include "protocols/consul/consul_params.hpp"
#include "protocols/gossip/swim_node.hpp"
#include "protocols/host/host.hpp"
#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/raft/raft_node.hpp"

namespace faultline::consul {

class ConsulNode {
 public:
  using HostT = Host<Message, kv::Reply>;
  // Timer slots: each inner protocol's range, then the composite's own.
  static constexpr TimerSlot kRaftSlots = 0;
  static constexpr TimerSlot kSwimSlots = kRaftSlots + raft::RaftNode::kTimerSlots;
  static constexpr TimerSlot kCheckTimer = kSwimSlots + swim::SwimNode::kTimerSlots;  // agent: run the checks
  static constexpr TimerSlot kSyncTimer = kCheckTimer + 1;       // agent: periodic anti-entropy
  static constexpr TimerSlot kRpcTimer = kCheckTimer + 2;        // agent: the sync RPC's timeout
  static constexpr TimerSlot kReconcileTimer = kCheckTimer + 3;  // server: periodic full reconciliation
  static constexpr TimerSlot kReadTimer = kCheckTimer + 4;       // agent: the next catalog read
  static constexpr TimerSlot kReadRpcTimer = kCheckTimer + 5;    // agent: the read RPC's timeout
  static constexpr TimerSlot kTimerSlots = kCheckTimer + 6;
  // Client ids of the catalog's writers (the workload's clients are 0, 1, ...):
  // a server's reconciler, and an agent's anti-entropy (its session with the catalog).
  static constexpr ClientId kReconcilerClientBase = 0xF0000000u;
  static constexpr ClientId kAgentClientBase = 0xE0000000u;
  static constexpr ClientId kAgentReadClientBase = 0xD0000000u;  // an agent's consistent reads
  // Durable: the node's lives, so its request sequences grow across restarts.
  static constexpr std::string_view kEpochKey = "consul/epoch";

  ConsulNode(NodeId self, NodeId cluster_size, const Params& params);

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const Message& m);
  void on_timer(HostT& host, TimerSlot slot);
  void on_client_request(HostT& host, ClientId client, const kv::Request& r);

  // For checkers and tests.
  bool is_server() const { return raft_ != nullptr; }
  const raft::RaftNode* raft() const { return raft_.get(); }
  const swim::SwimNode& swim() const { return swim_; }
  bool check_passing(std::size_t service = 0) const { return passing_.at(service) != 0; }
  // Reconciliation writes this server submitted and has not seen answered.
  std::size_t writes_in_flight() const { return in_flight_.size(); }
  // What the catalog's checkers and metrics read besides the inner
  // protocols' state (consul_observer.hpp), never the protocol itself. Each
  // input (start, message, timer, client request) counts in inputs() and
  // begins a new step_reads_served() (etcd's Ready, as Multi-Paxos's
  // step_accepts()), so an observer reads each input's list once. The
  // counters are this life's (a crashed node's start again at 0).
  struct ServedRead {
    std::uint64_t sequence;  // the agent's read
    raft::Index index;       // this server's last applied index when it answered
    NodeId agent;
    ReadMode mode;
  };
  std::uint64_t inputs() const { return inputs_; }
  // Server: the agents' reads it answered in its latest input, in order.
  const std::vector<ServedRead>& step_reads_served() const { return step_reads_served_; }
  // The members whose entry its SWIM changed in its latest input, in the
  // order it changed them (what its reconciler is told; a member may repeat).
  const std::vector<NodeId>& step_members_changed() const { return step_members_changed_; }
  // Server: agents' requests it forwarded to the leader; default and
  // consistent reads it answered "not leader".
  std::uint32_t forwards() const { return forwards_; }
  std::uint32_t reads_redirected() const { return reads_redirected_; }
  // Agent: the sequence of the latest read it issued (0: none in this
  // life), and the reads whose answer reached it.
  std::uint64_t read_sequence() const { return read_.sequence; }
  std::uint32_t reads_answered() const { return reads_answered_; }

 private:
  struct RaftRoute;
  struct SwimRoute;

  // Calls into the inner protocols through their sub-hosts.
  template <class Fn>
  void with_raft(HostT& host, Fn&& fn);
  template <class Fn>
  void with_swim(HostT& host, Fn&& fn);
  // After every call into Raft: leadership gained or lost, deferred work.
  void after_raft(HostT& host);
  void on_raft_reply(HostT& host, ClientId client, kv::Reply&& reply);
  std::uint64_t next_sequence() { return (epoch_ << 32) | ++sequence_; }
  // Every input starts here (see inputs()).
  void begin_input() {
    step_reads_served_.clear();
    step_members_changed_.clear();
    if (raft_) raft_->release_compacted();  // the last input's applies were read after it
    ++inputs_;
  }

  // Server: reconciliation (leader only) and the agents' RPC.
  bool leads() const { return raft_ && raft_->role() == raft::Role::kLeader; }
  // Leads, and has applied every entry of earlier terms in its log, so its
  // store holds every entry an earlier leader committed (Raft's leader
  // completeness; Consul's leaderLoop waits for a barrier before it
  // reconciles): the reconciler and the agents' syncs compare against the
  // store, and act only then. Entries of this term are the leader's own
  // (its no-op, at the term's first index, then what it submitted). At once
  // for a leader that had applied its whole log when elected, otherwise once
  // its no-op commits.
  bool store_current() const { return leads() && raft_->last_applied() + 1 >= term_first_index_; }
  void reconcile_all(HostT& host);
  void reconcile_member(HostT& host, NodeId m);
  void on_sync_request(HostT& host, NodeId from, const SyncRequest& q);
  void on_read_request(HostT& host, NodeId from, const ReadRequest& q);
  // Answers a read from this server's store as applied now (stale, default).
  void serve_read(HostT& host, NodeId from, const ReadRequest& q);
  // Not leading: hands an agent's request (sent by the agent itself) to the
  // leader this server knows of, if forwarding is on; false if it did not.
  template <class Request>
  bool forward(HostT& host, NodeId from, Request q);
  // A reply for `agent` goes to it, or through the server that forwarded
  // its request (which relays it).
  template <class Reply>
  void answer(HostT& host, NodeId agent, std::uint64_t sequence, ClientId client, Reply a);

  // Agent: the checks and anti-entropy (one service per RPC).
  void run_checks(HostT& host);
  void sync_next(HostT& host);
  void end_sync_round();
  void send_sync(HostT& host);
  void on_sync_reply(HostT& host, const SyncReply& a);
  void start_read(HostT& host);
  void send_read(HostT& host);
  void on_read_reply(HostT& host, const ReadReply& a);
  NodeId other_server(HostT& host, NodeId than);

  NodeId self_;
  NodeId n_;
  const Params* params_;
  std::unique_ptr<raft::RaftNode> raft_;  // servers only
  // Its SWIM's parameters and record of changes (on the heap: the node
  // moves, SWIM's pointer to it must not).
  std::unique_ptr<swim::SwimShared> swim_shared_;
  swim::SwimNode swim_;
  Rng raft_rng_, swim_rng_;  // the inner protocols' streams, seeded from the node's at each start
  std::uint64_t epoch_ = 0;
  std::uint32_t sequence_ = 0;

  // Server. Invariant: in_flight_ and in_flight_by_sequence_ hold the same
  // writes (key <-> sequence), submitted while leading this term.
  bool was_leader_ = false;
  std::map<std::string, std::uint64_t> in_flight_;
  std::map<std::uint64_t, std::string> in_flight_by_sequence_;
  std::vector<NodeId> recheck_;          // members whose write lost a race (cas failed), to reconcile again
  // Agents' requests forwarded to this leader through another server, not
  // yet answered: (client, sequence) -> the server to answer through.
  std::map<std::pair<ClientId, std::uint64_t>, NodeId> answer_through_;
  // Agents' service writes submitted while leading this term, not yet
  // answered: (client, sequence) -> key, and per key how many. The
  // reconciler leaves a key with one in flight alone (catalog.hpp).
  std::map<std::pair<ClientId, std::uint64_t>, std::string> sync_writes_;
  std::map<std::string, std::uint32_t> sync_keys_in_flight_;
  raft::Index term_first_index_ = 0;  // while leading: the first index of its term (its no-op), noted once elected
  std::uint64_t reconciled_term_ = 0;  // the term this server last reconciled all members in, once its store was current

  // Agent. Per service (Params::services): its check's latest result, and
  // whether the current anti-entropy round still has to sync it.
  std::vector<std::uint8_t> passing_, out_of_sync_;
  bool rpc_pending_ = false;
  std::uint16_t rpc_service_ = 0;
  bool rpc_passing_ = true;
  std::uint64_t rpc_sequence_ = 0;
  NodeId rpc_server_ = 0;
  std::uint32_t rpc_attempts_ = 0;
  bool read_pending_ = false;
  ReadRequest read_;
  NodeId read_server_ = 0;
  std::uint32_t read_attempts_ = 0;

  // For checkers (inputs(), step_reads_served() and the counters); never
  // read by the protocol.
  std::uint64_t inputs_ = 0;
  std::vector<ServedRead> step_reads_served_;
  std::vector<NodeId> step_members_changed_;
  std::uint32_t forwards_ = 0, reads_redirected_ = 0, reads_answered_ = 0;
};

}  // namespace faultline::consul

// Multi-Paxos (Lamport, "Paxos Made Simple" section 3; Chandra et al.,
// "Paxos Made Live") over the same key-value state machine and client
// sessions as Raft, as a sans-IO state machine.
//
// Every node is an acceptor, a learner and a would-be leader (distinguished
// proposer). A node that hears no leader for an election timeout runs
// phase 1 once, for every slot it does not know to be chosen; with promises
// from a majority it re-proposes, in its own ballot, the value with the
// highest ballot each open slot reported, fills slots nobody reported with
// no-ops, sends all of them at once (in Accepts of at most
// max_entries_per_accept entries), and from then on runs only phase 2, one
// slot per client command.
// Its Accepts (empty ones are heartbeats) carry how far the log is chosen; a
// replica whose accepted value in a slot carries the leader's ballot knows
// it is the chosen one, and a replica that lags gets Chosen entries. An
// Accept is sent again with every heartbeat until answered, and at once when
// the acceptor answers for a later slot first (it was probably lost).
// A leader that has not heard a majority for an election timeout steps down.
//
// Files: multi_paxos_acceptor.cpp (the acceptor and its durable state),
// multi_paxos_leader.cpp (entry points, phase 1, leadership, phase 2 as the proposer),
// multi_paxos_learner.cpp (learning, catch-up, applying, clients).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "protocols/host/host.hpp"
#include "protocols/kv/kv_store.hpp"
#include "protocols/paxos/multi_paxos_messages.hpp"
#include "protocols/paxos/paxos_params.hpp"

namespace faultline::paxos {

enum class MultiRole : std::uint8_t { kFollower, kPreparing, kLeader };

class MultiPaxosNode {
 public:
  using HostT = Host<MultiMessage, kv::Reply>;
  static constexpr TimerSlot kElectionTimer = 0;
  static constexpr TimerSlot kHeartbeatTimer = 1;
  static constexpr TimerSlot kTimerSlots = 2;

  MultiPaxosNode(NodeId self, NodeId cluster_size, const MultiParams& params);

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const MultiMessage& m);
  void on_timer(HostT& host, TimerSlot slot);
  void on_client_request(HostT& host, ClientId client, const kv::Request& r);

  // For checkers and tests: the node's state, typed.
  Slot commit_upto() const { return commit_upto_; }
  Slot last_applied() const { return last_applied_; }  // the store holds slots 1..last_applied()
  MultiRole role() const { return role_; }
  // The ballot it stands for while preparing or leading (its last one after).
  const Ballot& ballot() const { return ballot_; }
  // What the acceptor holds: slot s is acceptor_log()[s - 1].
  const std::vector<SlotValue>& acceptor_log() const { return log_; }
  // What the latest input (on_start, on_message, on_timer,
  // on_client_request) did, as etcd-io/raft's Ready tells its caller: the
  // slots the acceptor accepted a value in, in order (their ballot and value
  // are in acceptor_log()), and that input's number, so a checker reads
  // each input's acceptances once.
  const std::vector<Slot>& step_accepts() const { return step_accepts_; }
  std::uint64_t inputs() const { return inputs_; }

 private:
  // multi_paxos_acceptor.cpp
  MultiPromise on_prepare(HostT& host, const MultiPrepare& m);
  MultiAccepted on_accept(HostT& host, const MultiAccept& m);
  void accept_into(HostT& host, Slot slot, const Ballot& ballot, const Command& c);
  SlotValue& slot_at(Slot slot);  // grows the log
  void persist_promise(HostT& host);
  void persist_slot(HostT& host, Slot slot);
  void load(HostT& host);

  // multi_paxos_leader.cpp
  void start_phase1(HostT& host);
  void on_promise(HostT& host, NodeId from, const MultiPromise& m);
  void become_leader(HostT& host);
  void on_accepted(HostT& host, NodeId from, const MultiAccepted& m);
  void propose(HostT& host, Slot slot, const Command& c);
  // The pending slots each acceptor has not accepted, in at most `accepts` Accepts each.
  void send_pending(HostT& host, std::size_t accepts);
  void step_down(HostT& host, const Ballot& higher);
  // The `role` trace event (role, and the ballot it stands for or lost to),
  // after every change the candidate/leader/follower events report.
  void emit_role(HostT& host, const Ballot& ballot) const;
  void reset_election_timer(HostT& host);

  // multi_paxos_learner.cpp
  void mark_chosen(HostT& host, Slot slot);
  void learn_from_leader(HostT& host, const Ballot& ballot, Slot leader_commit);
  void on_chosen(HostT& host, const MultiChosen& m);
  void send_catch_up(HostT& host, NodeId to, Slot from);
  void advance_and_apply(HostT& host);

  NodeId majority() const { return n_ / 2 + 1; }
  // Every input starts here: step_accepts() describes one input.
  void begin_input() {
    step_accepts_.clear();
    ++inputs_;
  }

  NodeId self_;
  NodeId n_;
  const MultiParams* params_;

  // Acceptor, durable. Invariant: every accepted ballot is <= promised_;
  // promised_ never decreases. log_[s - 1] is slot s.
  Ballot promised_;
  std::vector<SlotValue> log_;

  // Learner. Invariant: every slot up to commit_upto_ is chosen (and known
  // here); last_applied_ <= commit_upto_; neither decreases while running.
  Slot commit_upto_ = 0;
  Slot last_applied_ = 0;
  kv::KvStore store_;
  NodeId leader_ = kNoNode;  // who we last accepted from, for client redirects

  // Would-be leader, volatile.
  MultiRole role_ = MultiRole::kFollower;
  Ballot ballot_;          // ours, while preparing or leading
  Ballot highest_seen_;    // so our next ballot is higher
  Slot first_open_ = 1;    // phase 1 covers slots from here on
  std::vector<bool> promised_by_;
  std::map<Slot, SlotValue> reported_;  // phase 1: the highest-ballot value reported per slot

  // Leader, volatile. Invariant: every slot in pending_ is below next_slot_
  // and not yet chosen; its mask says which acceptors accepted it in ballot_.
  Slot next_slot_ = 1;
  std::map<Slot, std::uint64_t> pending_;
  std::map<Slot, ClientId> waiting_clients_;
  std::vector<Time> last_heard_;     // per acceptor: when it last answered us
  std::vector<Time> last_catch_up_;  // per acceptor: when we last sent it Chosen entries

  // For checkers (step_accepts(), inputs()); never read by the protocol.
  std::vector<Slot> step_accepts_;
  std::uint64_t inputs_ = 0;
};

}  // namespace faultline::paxos

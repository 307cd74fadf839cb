// Single-decree Paxos (Lamport, "Paxos Made Simple"; the two-phase table in
// ../shared/SPEC.md) as a sans-IO state machine. Every node is an acceptor and
// a learner; nodes below params.proposers are also proposers.
//
// Proposer: phase 1 sends Prepare(n) with a fresh, higher n; with promises
// from a majority it adopts the accepted value with the highest
// acceptedProposal (its own value if none), then phase 2 sends Accept(n, v).
// A reply above n is a rejection: back off for a random time and start over
// with a higher n. A majority of plain Accepted replies means v is chosen;
// the proposer tells every learner (Decided).
//
// Durable (acceptor): minProposal, acceptedProposal, acceptedValue, synced
// before any reply that depends on them; the learned value.
#pragma once

#include <vector>

#include "protocols/host/host.hpp"
#include "protocols/paxos/basic_paxos_messages.hpp"
#include "protocols/paxos/paxos_params.hpp"

namespace faultline::paxos {

class BasicPaxosNode {
 public:
  using HostT = Host<BasicMessage>;
  static constexpr TimerSlot kProposerTimer = 0;  // start, backoff, retry, re-announce
  static constexpr TimerSlot kTimerSlots = 1;

  BasicPaxosNode(NodeId self, NodeId cluster_size, const BasicParams& params);

  void on_start(HostT& host);
  void on_message(HostT& host, NodeId from, const BasicMessage& m);
  void on_timer(HostT& host, TimerSlot slot);

  // For checkers and tests: the acceptor's and the learner's state, typed.
  bool is_proposer() const { return self_ < params_->proposers; }
  // The value this node proposes when no acceptor reports one (0: not a proposer).
  Value own_value() const { return is_proposer() ? self_ + 1 : 0; }
  Ballot min_proposal() const { return min_proposal_; }
  Ballot accepted_proposal() const { return accepted_proposal_; }  // unset: nothing accepted
  Value accepted_value() const { return accepted_value_; }
  Value learned() const { return learned_; }  // 0: nothing learned

 private:
  enum class Phase : std::uint8_t { kIdle, kPreparing, kAccepting, kDone };

  // Acceptor: the replies of the table's two rows.
  Promise on_prepare(HostT& host, const Prepare& m);
  Accepted on_accept(HostT& host, const Accept& m);
  void persist(HostT& host);

  // Proposer.
  void start_round(HostT& host);
  void on_promise(HostT& host, NodeId from, const Promise& m);
  void on_accepted(HostT& host, NodeId from, const Accepted& m);
  void rejected(HostT& host, const Ballot& min_proposal);
  // The `role` trace event (the proposer's phase, and its ballot), after
  // every change of phase_: the lane a viewer draws.
  void emit_role(HostT& host) const;
  void broadcast_decided(HostT& host);

  // Learner.
  void learn(HostT& host, Value v);

  NodeId majority() const { return n_ / 2 + 1; }

  NodeId self_;
  NodeId n_;
  const BasicParams* params_;

  // Acceptor, durable. Invariant: accepted_proposal_ <= min_proposal_.
  Ballot min_proposal_;
  Ballot accepted_proposal_;
  Value accepted_value_ = 0;
  // Learner, durable. Invariant: once set, never changes.
  Value learned_ = 0;

  // Proposer, volatile. `highest_seen_` keeps proposal numbers increasing.
  Phase phase_ = Phase::kIdle;
  Ballot ballot_;
  Ballot highest_seen_;
  std::vector<bool> replied_;
  NodeId replies_ = 0;
  Ballot best_accepted_;  // phase 1: the highest acceptedProposal reported, and its value
  Value value_ = 0;       // the value phase 2 proposes
  int announcements_left_ = 0;
};

}  // namespace faultline::paxos

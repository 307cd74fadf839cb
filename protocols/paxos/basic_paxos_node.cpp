#include "protocols/paxos/basic_paxos_node.hpp"

#include <string>

namespace faultline::paxos {

BasicPaxosNode::BasicPaxosNode(NodeId self, NodeId cluster_size, const BasicParams& params)
    : self_(self), n_(cluster_size), params_(&params) {}

void BasicPaxosNode::on_start(HostT& host) {
  auto& store = host.storage();
  if (auto v = store.read("paxos/min_proposal")) min_proposal_ = decode_ballot(*v);
  if (auto v = store.read("paxos/accepted_proposal")) accepted_proposal_ = decode_ballot(*v);
  if (auto v = store.read("paxos/accepted_value")) accepted_value_ = std::stoull(*v);
  if (auto v = store.read("paxos/learned")) learned_ = std::stoull(*v);
  highest_seen_ = min_proposal_;
  phase_ = learned_ ? Phase::kDone : Phase::kIdle;
  host.emit("start", {{"min_proposal", min_proposal_.round}, {"learned", learned_}});
  emit_role(host);
  if (is_proposer() && !learned_) {
    value_ = own_value();
    host.emit("propose", {{"value", value_}});
    host.set_timer(kProposerTimer, params_->start_spread ? host.rng().between(0, params_->start_spread) : 0);
  }
}

void BasicPaxosNode::persist(HostT& host) {
  if (params_->mutant == Mutant::kAcceptorNotPersisted) return;  // the bug: memory only
  auto& store = host.storage();
  store.write("paxos/min_proposal", encode(min_proposal_));
  store.write("paxos/accepted_proposal", encode(accepted_proposal_));
  store.write("paxos/accepted_value", std::to_string(accepted_value_));
  store.sync();
}

void BasicPaxosNode::on_message(HostT& host, NodeId from, const BasicMessage& m) {
  if (const auto* p = std::get_if<Prepare>(&m)) host.send(from, on_prepare(host, *p));
  else if (const auto* a = std::get_if<Accept>(&m)) host.send(from, on_accept(host, *a));
  else if (const auto* r = std::get_if<Promise>(&m)) on_promise(host, from, *r);
  else if (const auto* r = std::get_if<Accepted>(&m)) on_accepted(host, from, *r);
  else learn(host, std::get<Decided>(m).value);
}

// Table, phase 1, acceptor: "if n > minProposal then minProposal = n; return
// (acceptedProposal, acceptedValue)". A lower n gets minProposal back, so its
// proposer knows what to beat.
Promise BasicPaxosNode::on_prepare(HostT& host, const Prepare& m) {
  if (m.n > min_proposal_) {
    min_proposal_ = m.n;
    persist(host);  // synced before the promise leaves
    return Promise{m.n, true, min_proposal_, accepted_proposal_, accepted_value_};
  }
  return Promise{m.n, false, min_proposal_, {}, 0};
}

// Table, phase 2, acceptor: "if n >= minProposal then acceptedProposal =
// minProposal = n; acceptedValue = value; return minProposal".
Accepted BasicPaxosNode::on_accept(HostT& host, const Accept& m) {
  if (m.n >= min_proposal_ || params_->mutant == Mutant::kAcceptBelowPromise) {
    min_proposal_ = std::max(min_proposal_, m.n);
    accepted_proposal_ = m.n;
    accepted_value_ = m.value;
    persist(host);
    host.emit("accepted", {{"slot", 0}, {"round", m.n.round}, {"by", m.n.node}, {"digest", m.value}});
    return Accepted{m.n, m.n};  // the mutant answers as if it had not promised higher
  }
  return Accepted{m.n, min_proposal_};
}

void BasicPaxosNode::on_timer(HostT& host, TimerSlot) {
  if (phase_ == Phase::kDone) {
    if (announcements_left_-- > 0) broadcast_decided(host);
    return;
  }
  start_round(host);  // first try, the end of a backoff, or a phase that timed out
}

void BasicPaxosNode::start_round(HostT& host) {
  // "Proposers with unique, increasing proposal numbers."
  ballot_ = Ballot::above(std::max(highest_seen_, min_proposal_), self_);
  highest_seen_ = ballot_;
  phase_ = Phase::kPreparing;
  replied_.assign(n_, false);
  replies_ = 0;
  best_accepted_ = {};
  host.emit("prepare", {{"round", ballot_.round}});
  emit_role(host);
  host.set_timer(kProposerTimer, params_->retry_timeout);
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_) host.send(i, Prepare{ballot_});
  on_promise(host, self_, on_prepare(host, Prepare{ballot_}));  // our own acceptor
}

void BasicPaxosNode::rejected(HostT& host, const Ballot& min_proposal) {
  highest_seen_ = std::max(highest_seen_, min_proposal);
  phase_ = Phase::kIdle;
  host.emit("rejected", {{"round", ballot_.round}, {"by_round", min_proposal.round}});
  emit_role(host);
  // A random backoff, so two dueling proposers stop pre-empting each other.
  host.set_timer(kProposerTimer, host.rng().between(params_->backoff_min, params_->backoff_max));
}

void BasicPaxosNode::on_promise(HostT& host, NodeId from, const Promise& m) {
  if (phase_ != Phase::kPreparing || m.n != ballot_) return;  // stale
  if (!m.ok) {
    if (m.min_proposal > ballot_) rejected(host, m.min_proposal);  // equal: a duplicated Prepare
    return;
  }
  if (replied_[from]) return;
  replied_[from] = true;
  ++replies_;
  if (m.accepted_proposal.is_set() && m.accepted_proposal > best_accepted_) {
    best_accepted_ = m.accepted_proposal;
    // "Replace its value with the one with the highest acceptedProposal."
    if (params_->mutant != Mutant::kIgnoreAcceptedValues) value_ = m.accepted_value;
  }
  if (replies_ < majority()) return;
  if (value_ == 0) value_ = own_value();
  phase_ = Phase::kAccepting;
  replied_.assign(n_, false);
  replies_ = 0;
  host.emit("accept", {{"round", ballot_.round}, {"value", value_}});
  emit_role(host);
  host.set_timer(kProposerTimer, params_->retry_timeout);
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_) host.send(i, Accept{ballot_, value_});
  on_accepted(host, self_, on_accept(host, Accept{ballot_, value_}));
}

void BasicPaxosNode::on_accepted(HostT& host, NodeId from, const Accepted& m) {
  if (phase_ != Phase::kAccepting || m.n != ballot_) return;
  // "Any reply > n is a rejection: go back to step 1."
  if (m.min_proposal > ballot_) return rejected(host, m.min_proposal);
  if (replied_[from]) return;
  replied_[from] = true;
  if (++replies_ < majority()) return;
  phase_ = Phase::kDone;
  host.emit("chosen", {{"round", ballot_.round}, {"value", value_}});
  emit_role(host);
  learn(host, value_);
  announcements_left_ = 3;  // re-announce, in case a Decided is lost
  broadcast_decided(host);
  host.set_timer(kProposerTimer, params_->retry_timeout);
}

void BasicPaxosNode::broadcast_decided(HostT& host) {
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_) host.send(i, Decided{learned_});
  if (announcements_left_ > 0) host.set_timer(kProposerTimer, params_->retry_timeout);
}

void BasicPaxosNode::emit_role(HostT& host) const {
  constexpr std::string_view kNames[] = {"idle", "preparing", "accepting", "done"};
  host.emit("role", {{"role", kNames[static_cast<int>(phase_)]}, {"ballot", ballot_.round}, {"ballot_node", node_field(ballot_.node)}});
}

void BasicPaxosNode::learn(HostT& host, Value v) {
  if (learned_ == v) return;
  // A learner that already learned something else: the checker reports it.
  learned_ = v;
  host.storage().write("paxos/learned", std::to_string(v));
  host.storage().sync();
  host.emit("learned", {{"value", v}});
  if (phase_ != Phase::kDone) {
    phase_ = Phase::kDone;  // a proposer that learns the outcome stops proposing
    emit_role(host);
    host.cancel_timer(kProposerTimer);
  }
}

}  // namespace faultline::paxos

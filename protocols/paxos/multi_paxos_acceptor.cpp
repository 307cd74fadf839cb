// The Multi-Paxos acceptor: the single-decree rules of ../shared/SPEC.md's
// table applied to every slot at once for phase 1, and per slot for phase 2.
// Durable state is synced before any reply that depends on it.
#include <string>

#include "protocols/kv/kv_codec.hpp"
#include "protocols/paxos/multi_paxos_node.hpp"

namespace faultline::paxos {

namespace {

std::string slot_key(Slot s) {
  std::string digits = std::to_string(s);
  return "mpaxos/slot/" + std::string(20 - digits.size(), '0') + digits;
}

std::string encode(const SlotValue& v) {
  return paxos::encode(v.ballot) + (v.chosen ? "|1|" : "|0|") + (v.command.noop ? "n" : "c" + kv::encode(v.command.request));
}

SlotValue decode_slot(Slot slot, const std::string& text) {
  SlotValue v;
  v.slot = slot;
  const auto bar = text.find('|');
  v.ballot = decode_ballot(text.substr(0, bar));
  v.chosen = text[bar + 1] == '1';
  v.command.noop = text[bar + 3] == 'n';
  if (!v.command.noop)
    if (auto r = kv::decode(text.substr(bar + 4))) v.command.request = *r;
  return v;
}

}  // namespace

MultiPaxosNode::MultiPaxosNode(NodeId self, NodeId cluster_size, const MultiParams& params)
    : self_(self), n_(cluster_size), params_(&params) {}

void MultiPaxosNode::load(HostT& host) {
  const auto& store = host.storage();
  promised_ = {};
  log_.clear();
  if (auto p = store.read("mpaxos/promised")) promised_ = decode_ballot(*p);
  store.scan("mpaxos/slot/", "mpaxos/slot0", [&](const std::string& key, const std::string& value) {
    const Slot s = std::stoull(key.substr(12));
    slot_at(s) = decode_slot(s, value);
  });
}

SlotValue& MultiPaxosNode::slot_at(Slot slot) {
  while (log_.size() < slot) {
    log_.emplace_back();
    log_.back().slot = log_.size();
  }
  return log_[slot - 1];
}

void MultiPaxosNode::persist_promise(HostT& host) {
  if (params_->mutant == Mutant::kAcceptorNotPersisted) return;  // the bug: memory only
  host.storage().write("mpaxos/promised", paxos::encode(promised_));
}

void MultiPaxosNode::persist_slot(HostT& host, Slot slot) {
  if (params_->mutant == Mutant::kAcceptorNotPersisted) return;
  host.storage().write(slot_key(slot), encode(log_[slot - 1]));
}

// Phase 1 for every slot from first_slot on: promise if the ballot is above
// every ballot promised so far, and report what was accepted there.
MultiPromise MultiPaxosNode::on_prepare(HostT& host, const MultiPrepare& m) {
  if (m.ballot <= promised_) return MultiPromise{m.ballot, false, promised_, {}};
  promised_ = m.ballot;
  persist_promise(host);
  host.storage().sync();
  MultiPromise reply{m.ballot, true, promised_, {}};
  for (Slot s = m.first_slot; s <= log_.size(); ++s)
    if (log_[s - 1].ballot.is_set() || log_[s - 1].chosen) reply.accepted.push_back(log_[s - 1]);
  if (params_->mutant == Mutant::kForgetOnPromise) {
    // The bug: the reply is this acceptor's only record of those values now,
    // and the new leader may never propose them (it may crash, or lose).
    for (Slot s = m.first_slot; s <= log_.size(); ++s)
      if (!log_[s - 1].chosen && log_[s - 1].ballot.is_set()) {
        log_[s - 1] = SlotValue{s, {}, false, {}};
        persist_slot(host, s);
      }
    host.storage().sync();
  }
  return reply;
}

void MultiPaxosNode::accept_into(HostT& host, Slot slot, const Ballot& ballot, const Command& c) {
  SlotValue& v = slot_at(slot);
  if (v.chosen) return;  // the value is settled; a correct leader proposes the same one
  v.ballot = ballot;
  v.command = c;
  persist_slot(host, slot);
  step_accepts_.push_back(slot);
  host.emit("accepted", {{"slot", slot}, {"round", ballot.round}, {"by", ballot.node}, {"digest", command_digest(c)}});
}

// Phase 2: "if n >= minProposal then acceptedProposal = minProposal = n,
// acceptedValue = value", per slot.
MultiAccepted MultiPaxosNode::on_accept(HostT& host, const MultiAccept& m) {
  if (m.ballot < promised_ && params_->mutant != Mutant::kAcceptBelowPromise)
    return MultiAccepted{m.ballot, false, promised_, {}, commit_upto_};
  if (m.ballot > promised_) {
    promised_ = m.ballot;
    persist_promise(host);
  }
  MultiAccepted reply{m.ballot, true, promised_, {}, 0};
  for (const auto& [slot, command] : m.entries) {
    accept_into(host, slot, m.ballot, command);
    reply.slots.push_back(slot);
  }
  host.storage().sync();  // before the reply leaves
  return reply;
}

}  // namespace faultline::paxos

// Learning which slots are chosen, catching lagging replicas up, applying
// the chosen prefix to the key-value store, and client requests.
#include "protocols/paxos/multi_paxos_node.hpp"

namespace faultline::paxos {

void MultiPaxosNode::mark_chosen(HostT& host, Slot slot) {
  SlotValue& v = slot_at(slot);
  pending_.erase(slot);
  if (v.chosen) return;
  v.chosen = true;
  persist_slot(host, slot);  // unsynced is fine: a chosen flag can be learned again
}

// Every slot up to leader_commit is chosen. Where we accepted the leader's
// own ballot, our value is the leader's proposal, hence the chosen one; any
// other slot we must be sent (send_catch_up, prompted by our reply).
void MultiPaxosNode::learn_from_leader(HostT& host, const Ballot& ballot, Slot leader_commit) {
  for (Slot s = commit_upto_ + 1; s <= leader_commit && s <= log_.size(); ++s)
    if (!log_[s - 1].chosen && log_[s - 1].ballot == ballot) mark_chosen(host, s);
  advance_and_apply(host);
}

void MultiPaxosNode::on_chosen(HostT& host, const MultiChosen& m) {
  for (const auto& [slot, command] : m.entries) {
    SlotValue& v = slot_at(slot);
    if (v.chosen) continue;
    // The accepted ballot stays what it was (every accepted ballot stays
    // below our promise); the chosen flag outranks it in any phase 1.
    v.command = command;
    mark_chosen(host, slot);
  }
  advance_and_apply(host);
}

void MultiPaxosNode::send_catch_up(HostT& host, NodeId to, Slot from) {
  // At most one batch per heartbeat interval per replica.
  if (last_catch_up_[to] >= 0 && host.now() - last_catch_up_[to] < params_->heartbeat_interval) return;
  last_catch_up_[to] = host.now();
  MultiChosen c{ballot_, {}};
  for (Slot s = from; s <= commit_upto_ && c.entries.size() < params_->max_entries_per_accept; ++s)
    c.entries.emplace_back(s, log_[s - 1].command);
  host.send(to, std::move(c));
}

void MultiPaxosNode::advance_and_apply(HostT& host) {
  while (commit_upto_ < log_.size() && log_[commit_upto_].chosen) ++commit_upto_;
  while (last_applied_ < commit_upto_) {
    ++last_applied_;
    const Command& c = log_[last_applied_ - 1].command;
    host.emit("apply", {{"slot", last_applied_}, {"digest", command_digest(c)}});
    if (c.noop) continue;
    const kv::Reply reply = store_.apply(c.request);
    if (auto it = waiting_clients_.find(last_applied_); it != waiting_clients_.end()) {
      host.reply(it->second, reply);
      waiting_clients_.erase(it);
    }
  }
}

void MultiPaxosNode::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  begin_input();
  if (role_ != MultiRole::kLeader) {
    host.reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kNotLeader, leader_, {}, false});
    return;
  }
  // Only phase 2: the leader's phase 1 already covers every future slot.
  const Slot slot = next_slot_++;
  const Command c{false, r};
  host.emit("propose", {{"slot", slot}, {"digest", command_digest(c)}});
  waiting_clients_[slot] = client;
  propose(host, slot, c);
  host.storage().sync();  // our own accept is durable before anyone counts on it
  for (NodeId i = 0; i < n_; ++i)
    if (i != self_) host.send(i, MultiAccept{ballot_, {{slot, c}}, commit_upto_});
  advance_and_apply(host);
}

}  // namespace faultline::paxos

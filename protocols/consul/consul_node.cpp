#include "protocols/consul/consul_node.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "protocols/host/sub_host.hpp"

namespace faultline::consul {

// Raft's actions: messages wrapped as Raft's, replies to the composite's own
// clients kept, the others passed on to the workload's clients.
struct ConsulNode::RaftRoute {
  ConsulNode& node;
  Message wrap(raft::Message&& m) const { return Message(std::in_place_index<0>, std::move(m)); }
  void reply(HostT& outer, ClientId client, kv::Reply&& r) { node.on_raft_reply(outer, client, std::move(r)); }
};

// SWIM's actions: messages wrapped as SWIM's. What it changed in the
// membership is read from its typed record after each call (with_swim).
struct ConsulNode::SwimRoute {
  ConsulNode& node;
  Message wrap(swim::Message&& m) const { return Message(std::in_place_index<1>, std::move(m)); }
  void reply(Host<Message, kv::Reply>&, ClientId, std::monostate&&) {}
};

ConsulNode::ConsulNode(NodeId self, NodeId cluster_size, const Params& params)
    : self_(self),
      n_(cluster_size),
      params_(&params),
      swim_shared_(std::make_unique<swim::SwimShared>(params.swim_of(self), cluster_size)),
      swim_(self, cluster_size, *swim_shared_) {
  if (params.is_server(self)) {
    raft_ = std::make_unique<raft::RaftNode>(self, params.servers, params.raft);
    raft_->keep_compacted();  // for the checkers (begin_input)
  }
}

template <class Fn>
void ConsulNode::with_raft(HostT& host, Fn&& fn) {
  RaftRoute route{*this};
  SubHost<Message, kv::Reply, raft::Message, kv::Reply, RaftRoute> sub(host, kRaftSlots, params_->servers, raft_rng_,
                                                                      route);
  fn(*raft_, sub);
  after_raft(host);
}

template <class Fn>
void ConsulNode::with_swim(HostT& host, Fn&& fn) {
  SwimRoute route{*this};
  SubHost<Message, kv::Reply, swim::Message, std::monostate, SwimRoute> sub(host, kSwimSlots, n_, swim_rng_, route);
  fn(swim_, sub);
  // The members whose entry that call changed, in order: the reconciler's
  // input (the composite's local interface between the two), read from
  // SWIM's record, which no Raft call touches; step_members_changed() only
  // records them for the checkers.
  const auto learned = [](const swim::ViewChange& c) { return c.cause == swim::ViewChange::Cause::kLearned; };
  const std::size_t before = step_members_changed_.size();
  for (const swim::ViewChange& c : swim_.changes())
    if (learned(c)) step_members_changed_.push_back(c.member);
  if (step_members_changed_.size() == before || !store_current()) return;
  // The members just recorded, in order (by index: one pass over the changes).
  for (std::size_t i = before; i < step_members_changed_.size(); ++i) reconcile_member(host, step_members_changed_[i]);
}

void ConsulNode::on_start(HostT& host) {
  begin_input();
  // Each inner protocol draws from a stream of its own, so one's draws never
  // shift the other's numbers.
  raft_rng_.reseed(host.rng().next());
  swim_rng_.reseed(host.rng().next());
  const auto epoch = host.storage().read(kEpochKey);
  epoch_ = epoch ? std::stoull(*epoch) + 1 : 1;
  host.storage().write(kEpochKey, std::to_string(epoch_));
  host.storage().sync();
  with_swim(host, [](swim::SwimNode& s, auto& sub) { s.on_start(sub); });
  if (raft_) {
    with_raft(host, [](raft::RaftNode& r, auto& sub) { r.on_start(sub); });
    host.set_timer(kReconcileTimer, params_->reconcile_interval);
    return;
  }
  passing_.assign(params_->services.size(), 1);
  out_of_sync_.assign(params_->services.size(), 0);
  for (std::size_t s = 0; s < passing_.size(); ++s) passing_[s] = params_->check_fails(self_, s, host.now()) ? 0 : 1;
  host.set_timer(kCheckTimer, host.rng().between(1, params_->check_interval));
  host.set_timer(kSyncTimer, host.rng().between(1, params_->sync_interval));
  if (params_->read_interval > 0) host.set_timer(kReadTimer, host.rng().between(1, params_->read_interval));
}

void ConsulNode::on_message(HostT& host, NodeId from, const Message& m) {
  begin_input();
  switch (m.index()) {
    case 0:
      if (raft_) with_raft(host, [&](raft::RaftNode& r, auto& sub) { r.on_message(sub, from, std::get<0>(m)); });
      return;
    case 1: with_swim(host, [&](swim::SwimNode& s, auto& sub) { s.on_message(sub, from, std::get<1>(m)); }); return;
    case 2:
      if (raft_) on_sync_request(host, from, std::get<2>(m));
      return;
    case 3:
      if (!raft_) {
        on_sync_reply(host, std::get<3>(m));
      } else if (auto a = std::get<3>(m); a.origin != kNoNode) {
        // The leader's answer to a request this server forwarded: relay it.
        const NodeId agent = a.origin;
        a.origin = kNoNode;
        host.send(agent, Message(a));
      }
      return;
    case 4:
      if (raft_) on_read_request(host, from, std::get<4>(m));
      return;
    default:
      if (!raft_) {
        on_read_reply(host, std::get<5>(m));
      } else if (auto a = std::get<5>(m); a.origin != kNoNode) {
        const NodeId agent = a.origin;
        a.origin = kNoNode;
        host.send(agent, Message(a));
      }
      return;
  }
}

void ConsulNode::on_timer(HostT& host, TimerSlot slot) {
  begin_input();
  if (slot < kSwimSlots) {
    if (raft_) with_raft(host, [&](raft::RaftNode& r, auto& sub) { r.on_timer(sub, slot - kRaftSlots); });
  } else if (slot < kCheckTimer) {
    with_swim(host, [&](swim::SwimNode& s, auto& sub) { s.on_timer(sub, static_cast<TimerSlot>(slot - kSwimSlots)); });
  } else if (slot == kCheckTimer) {
    run_checks(host);
    host.set_timer(kCheckTimer, params_->check_interval);
  } else if (slot == kSyncTimer) {
    // A full round: every service again (the catalog may have lost or
    // never got one).
    if (!rpc_pending_) {
      std::fill(out_of_sync_.begin(), out_of_sync_.end(), 1);
      sync_next(host);
    }
    host.set_timer(kSyncTimer, params_->sync_interval);
  } else if (slot == kRpcTimer) {
    // No answer: the server may be down or cut off; ask another (same
    // sequence, so a write that did go through applies once).
    if (!rpc_pending_) return;
    if (!swim_.active()) {  // left the pool meanwhile: it syncs nothing more
      rpc_pending_ = false;
      end_sync_round();
      return;
    }
    rpc_server_ = other_server(host, rpc_server_);
    send_sync(host);
  } else if (slot == kReconcileTimer) {
    if (store_current()) reconcile_all(host);
    host.set_timer(kReconcileTimer, params_->reconcile_interval);
  } else if (slot == kReadTimer) {
    if (!read_pending_) start_read(host);
    host.set_timer(kReadTimer, params_->read_interval);
  } else if (slot == kReadRpcTimer) {
    if (!read_pending_) return;
    read_server_ = other_server(host, read_server_);
    send_read(host);
  }
}

void ConsulNode::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  begin_input();
  if (!raft_) {
    // An agent holds no catalog: point the client at a server.
    host.reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kNotLeader, self_ % params_->servers, {}, false});
    return;
  }
  with_raft(host, [&](raft::RaftNode& node, auto& sub) { node.on_client_request(sub, client, r); });
}

// ---- Server ----

void ConsulNode::after_raft(HostT& host) {
  const bool leading = leads();
  if (leading && !was_leader_) {
    was_leader_ = true;
    // Its no-op, appended on election (one scan of the log per election).
    term_first_index_ = raft_->log().first_index_of(raft_->current_term());
    if (term_first_index_ == 0) term_first_index_ = raft_->log().last_index() + 1;
  } else if (!leading && was_leader_) {
    // Our writes may still commit under the next leader, or be cut; either
    // way they are compare-and-sets, and the next leader reconciles anew.
    was_leader_ = false;
    in_flight_.clear();
    in_flight_by_sequence_.clear();
    answer_through_.clear();
    sync_writes_.clear();
    sync_keys_in_flight_.clear();
  }
  if (store_current() && reconciled_term_ != raft_->current_term()) {
    reconciled_term_ = raft_->current_term();
    // Consul's leaderLoop: a new leader, once its barrier applied (its
    // store holds what earlier leaders committed), reconciles at once, so
    // what gossip learned while there was no leader (or an old leader left
    // undone) reaches the catalog.
    host.emit("leader_reconcile", {{"skipped", params_->mutant == Mutant::kNoReconcileOnLeadership ? 1 : 0}});
    if (params_->mutant != Mutant::kNoReconcileOnLeadership) reconcile_all(host);
  }
  if (!recheck_.empty()) {
    std::vector<NodeId> again;
    again.swap(recheck_);
    if (store_current())
      for (NodeId m : again) reconcile_member(host, m);
  }
}

void ConsulNode::reconcile_all(HostT& host) {
  for (NodeId m = 0; m < n_; ++m) reconcile_member(host, m);
}

void ConsulNode::reconcile_member(HostT& host, NodeId m) {
  // News of m in this life (see catalog.hpp): m is this node, or the view
  // holds it dead or left, or alive by an update (a view entry, not the base
  // view's alive at incarnation 0). A suspicion is not news: it is no failure
  // (SWIM 4.2), and a lingering one can reach a restarted server long after
  // the death it preceded.
  const swim::MemberInfo info = swim_.member(m);
  const bool heard = m == self_ || info.state == swim::MemberState::kDead || info.state == swim::MemberState::kLeft ||
                     (info.state == swim::MemberState::kAlive && (info.since > 0 || info.incarnation > 0));
  const auto writes = catalog::reconcile_writes(
      m, info.state, heard, params_->mutant, params_->services,
      [&](const std::string& key) { return raft_->store().read(key); },
      [&](const std::string& key) { return in_flight_.count(key) > 0 || sync_keys_in_flight_.count(key) > 0; });
  for (const auto& w : writes) {
    kv::Request r;
    r.client = kReconcilerClientBase + self_;
    r.sequence = next_sequence();
    r.kind = w.blind ? kv::OpKind::kPut : kv::OpKind::kCas;
    r.key = w.key;
    r.value = w.value;
    r.expected = w.expected;
    host.emit("catalog_write", {{"member", m}, {"key", r.key}, {"value", r.value}, {"expected", r.expected}});
    if (!w.blind) {
      in_flight_[w.key] = r.sequence;
      in_flight_by_sequence_[r.sequence] = w.key;
    }
    with_raft(host, [&](raft::RaftNode& node, auto& sub) { node.on_client_request(sub, r.client, r); });
    if (!leads()) return;
  }
}

void ConsulNode::on_raft_reply(HostT& host, ClientId client, kv::Reply&& reply) {
  if (client == kReconcilerClientBase + self_) {
    // Called from inside Raft (while it applies): only note what to do.
    auto it = in_flight_by_sequence_.find(reply.sequence);
    if (it == in_flight_by_sequence_.end()) return;
    const auto key = catalog::parse_key(it->second);
    in_flight_.erase(it->second);
    in_flight_by_sequence_.erase(it);
    // Look at the member again once a write of it is answered: the catalog
    // moved under our compare-and-set; or gossip changed its mind while the
    // write was in flight (the reconciliation then left the key alone: a
    // member back alive 6 ms after its critical was submitted stayed
    // critical until the periodic reconciliation,
    // false_criticals_under_loss.yaml seed 21); or a service removed lets
    // the node's deregistration go on (catalog.hpp).
    if (key && reply.status == kv::Reply::Status::kOk) recheck_.push_back(key->node);
    return;
  }
  if (client >= kAgentReadClientBase && client - kAgentReadClientBase < n_) {
    // A consistent read, answered once Raft confirmed the leadership
    // (ReadIndex) or applied it through the log.
    const NodeId agent = client - kAgentReadClientBase;
    ReadReply a;
    a.sequence = reply.sequence;
    a.leader_hint = reply.leader_hint;
    a.status = reply.status == kv::Reply::Status::kOk ? SyncReply::Status::kOk : SyncReply::Status::kNotLeader;
    if (a.status == SyncReply::Status::kOk) {
      a.index = raft_->last_applied();
      a.passing = reply.value == catalog::kPassing;
      host.emit("read_served", {{"agent", agent}, {"seq", reply.sequence}, {"mode", static_cast<int>(ReadMode::kConsistent)},
                                {"index", a.index}});
      step_reads_served_.push_back({reply.sequence, a.index, agent, ReadMode::kConsistent});
    }
    answer(host, agent, reply.sequence, client, a);
    return;
  }
  if (client >= kAgentClientBase && client - kAgentClientBase < n_) {
    if (auto it = sync_writes_.find({client, reply.sequence}); it != sync_writes_.end()) {
      // A reconciliation waiting for this key may go on.
      if (const auto key = catalog::parse_key(it->second)) recheck_.push_back(key->node);
      if (auto k = sync_keys_in_flight_.find(it->second); k != sync_keys_in_flight_.end() && --k->second == 0)
        sync_keys_in_flight_.erase(k);
      sync_writes_.erase(it);
    }
    SyncReply a;
    a.sequence = reply.sequence;
    a.leader_hint = reply.leader_hint;
    a.status = reply.status != kv::Reply::Status::kOk ? SyncReply::Status::kNotLeader
             : reply.cas_ok                            ? SyncReply::Status::kOk
                                                       : SyncReply::Status::kRetry;
    answer(host, client - kAgentClientBase, reply.sequence, client, a);
    return;
  }
  host.reply(client, std::move(reply));
}

template <class Request>
bool ConsulNode::forward(HostT& host, NodeId from, Request q) {
  // Consul's RPC forwarding (agent/consul/rpc.go, forward): a server that
  // does not lead passes the request to the leader and relays its answer.
  // Once only: a forwarded request that finds no leader is answered "not
  // leader", and the agent's own timeout covers a forward lost on the way.
  if (!params_->forward_to_leader || q.origin != kNoNode) return false;
  const NodeId leader = raft_->leader_hint();
  if (leader == kNoNode || leader == self_ || leader >= params_->servers) return false;
  host.emit("forward", {{"agent", from}, {"leader", leader}});
  ++forwards_;
  q.origin = from;
  host.send(leader, Message(std::move(q)));
  return true;
}

template <class Reply>
void ConsulNode::answer(HostT& host, NodeId agent, std::uint64_t sequence, ClientId client, Reply a) {
  auto it = answer_through_.find({client, sequence});
  if (it == answer_through_.end()) {
    host.send(agent, Message(std::move(a)));
    return;
  }
  const NodeId through = it->second;
  answer_through_.erase(it);
  a.origin = agent;
  host.send(through, Message(std::move(a)));
}

void ConsulNode::on_sync_request(HostT& host, NodeId from, const SyncRequest& q) {
  // Consul's Catalog.Register: the leader registers the agent's service
  // with its check's state, unless the catalog already holds it; a
  // follower says who leads (or, forwarding, hands it to the leader).
  const NodeId agent = q.origin != kNoNode ? q.origin : from;
  if (!leads() && forward(host, from, q)) return;
  if (q.service >= params_->services.size()) return;  // no service the agents run
  // (Mutant register_as_forwarder: a forwarded service lands under the server that forwarded it.)
  const NodeId owner = params_->mutant == Mutant::kRegisterAsForwarder ? from : agent;
  const std::string key = catalog::service_key(owner, params_->services[q.service]);
  const std::string value(q.passing ? catalog::kPassing : catalog::kCritical);
  std::string expected;
  if (leads()) {
    const auto reply = [&](SyncReply::Status status, NodeId hint) {
      host.send(from, Message(std::in_place_index<3>, SyncReply{q.sequence, status, hint, q.origin}));
    };
    // Not before the barrier: the store may lack an earlier leader's
    // deregistration of this node (the agent asks another server, or again).
    if (!store_current()) return reply(SyncReply::Status::kNotLeader, kNoNode);
    // Services only of a registered node with no reconciliation of it under
    // way: a late sync (sent before the agent left) never registers a
    // service after, or under, its node's deregistration.
    const std::string node_key = catalog::node_key(owner);
    if (raft_->store().read(node_key) != catalog::kRegistered || in_flight_.count(node_key) > 0)
      return reply(SyncReply::Status::kNotRegistered, self_);
    expected = raft_->store().read(key);
    if (expected == value) return reply(SyncReply::Status::kOk, self_);
  }
  kv::Request r;
  r.client = kAgentClientBase + agent;
  r.sequence = q.sequence;
  r.kind = kv::OpKind::kCas;
  r.key = key;
  r.value = value;
  r.expected = expected;
  if (from != agent) answer_through_[{r.client, r.sequence}] = from;
  if (leads() && sync_writes_.emplace(std::pair{r.client, r.sequence}, key).second) ++sync_keys_in_flight_[key];
  with_raft(host, [&](raft::RaftNode& node, auto& sub) { node.on_client_request(sub, r.client, r); });
}

void ConsulNode::on_read_request(HostT& host, NodeId from, const ReadRequest& q) {
  // Consul's read modes (consul_params.hpp): stale at any server; default
  // and consistent at the leader only (a follower forwards or redirects).
  if (q.mode == ReadMode::kStale) return serve_read(host, from, q);
  if (!leads()) {
    if (forward(host, from, q)) return;
    host.emit("read_redirected", {{"agent", q.origin != kNoNode ? q.origin : from}, {"seq", q.sequence}});
    ++reads_redirected_;
    host.send(from, Message(ReadReply{q.sequence, SyncReply::Status::kNotLeader, raft_->leader_hint(), 0, false, q.origin}));
    return;
  }
  if (q.mode == ReadMode::kDefault || params_->mutant == Mutant::kConsistentReadsLocal) return serve_read(host, from, q);
  // Consistent: through Raft's read path, which confirms the leadership
  // with a quorum first (ReadIndex, thesis 6.4) or orders it in the log.
  const NodeId agent = q.origin != kNoNode ? q.origin : from;
  kv::Request r;
  r.client = kAgentReadClientBase + agent;
  r.sequence = q.sequence;
  r.kind = kv::OpKind::kGet;
  r.key = catalog::health_key(q.member);
  if (from != agent) answer_through_[{r.client, r.sequence}] = from;
  with_raft(host, [&](raft::RaftNode& node, auto& sub) { node.on_client_request(sub, r.client, r); });
}

void ConsulNode::serve_read(HostT& host, NodeId from, const ReadRequest& q) {
  const NodeId agent = q.origin != kNoNode ? q.origin : from;
  ReadReply a{q.sequence, SyncReply::Status::kOk, self_, raft_->last_applied(),
              raft_->store().read(catalog::health_key(q.member)) == catalog::kPassing, q.origin};
  host.emit("read_served", {{"agent", agent}, {"seq", q.sequence}, {"mode", static_cast<int>(q.mode)}, {"index", a.index}});
  step_reads_served_.push_back({q.sequence, a.index, agent, q.mode});
  host.send(from, Message(a));
}

// ---- Agent ----

void ConsulNode::run_checks(HostT& host) {
  bool changed = false;
  for (std::size_t s = 0; s < passing_.size(); ++s) {
    const std::uint8_t passing = params_->check_fails(self_, s, host.now()) ? 0 : 1;
    if (passing == passing_[s]) continue;
    passing_[s] = passing;
    out_of_sync_[s] = 1;
    changed = true;
    host.emit("check", {{"service", std::string_view(params_->services[s])}, {"passing", static_cast<int>(passing)}});
  }
  if (changed && !rpc_pending_) sync_next(host);
}

void ConsulNode::sync_next(HostT& host) {
  // An agent that left the pool syncs nothing (its node is deregistered
  // with its services).
  if (!swim_.active()) return end_sync_round();
  for (std::size_t s = 0; s < out_of_sync_.size(); ++s) {
    if (!out_of_sync_[s]) continue;
    out_of_sync_[s] = 0;
    rpc_pending_ = true;
    rpc_service_ = static_cast<std::uint16_t>(s);
    rpc_passing_ = passing_[s] != 0;
    rpc_sequence_ = next_sequence();
    rpc_attempts_ = 0;
    rpc_server_ = static_cast<NodeId>(host.rng().below(params_->servers));
    send_sync(host);
    return;
  }
}

void ConsulNode::end_sync_round() { std::fill(out_of_sync_.begin(), out_of_sync_.end(), 0); }

void ConsulNode::send_sync(HostT& host) {
  // Every server twice, then wait for the next round.
  if (++rpc_attempts_ > 2 * params_->servers + 2) {
    rpc_pending_ = false;
    host.cancel_timer(kRpcTimer);
    end_sync_round();
    return;
  }
  host.send(rpc_server_, Message(std::in_place_index<2>, SyncRequest{rpc_sequence_, rpc_service_, rpc_passing_}));
  host.set_timer(kRpcTimer, params_->rpc_timeout);
}

void ConsulNode::on_sync_reply(HostT& host, const SyncReply& a) {
  if (!rpc_pending_ || a.sequence != rpc_sequence_) return;  // an answer to an attempt given up
  switch (a.status) {
    case SyncReply::Status::kOk:
    case SyncReply::Status::kRetry:
      rpc_pending_ = false;
      host.cancel_timer(kRpcTimer);
      // The check changed while we synced (or the write lost a race): again.
      if ((passing_[rpc_service_] != 0) != rpc_passing_ || a.status == SyncReply::Status::kRetry)
        out_of_sync_[rpc_service_] = 1;
      sync_next(host);
      return;
    case SyncReply::Status::kNotRegistered:
      // Not in the catalog (yet, or any more): the next round tries again.
      rpc_pending_ = false;
      host.cancel_timer(kRpcTimer);
      end_sync_round();
      return;
    case SyncReply::Status::kNotLeader:
      rpc_server_ = a.leader_hint != kNoNode && a.leader_hint < params_->servers && a.leader_hint != rpc_server_
                        ? a.leader_hint
                        : other_server(host, rpc_server_);
      send_sync(host);
      return;
  }
}

void ConsulNode::start_read(HostT& host) {
  read_pending_ = true;
  read_.sequence = next_sequence();
  read_.mode = params_->read_modes[host.rng().below(params_->read_modes.size())];
  read_.member = static_cast<NodeId>(host.rng().below(n_));
  read_.origin = kNoNode;
  read_attempts_ = 0;
  read_server_ = static_cast<NodeId>(host.rng().below(params_->servers));
  host.emit("read", {{"seq", read_.sequence}, {"mode", static_cast<int>(read_.mode)}, {"member", read_.member}});
  send_read(host);
}

void ConsulNode::send_read(HostT& host) {
  // As the sync: every server twice, then give the read up.
  if (++read_attempts_ > 2 * params_->servers + 2) {
    read_pending_ = false;
    host.cancel_timer(kReadRpcTimer);
    return;
  }
  host.send(read_server_, Message(read_));
  host.set_timer(kReadRpcTimer, params_->rpc_timeout);
}

void ConsulNode::on_read_reply(HostT& host, const ReadReply& a) {
  if (!read_pending_ || a.sequence != read_.sequence) return;
  if (a.status == SyncReply::Status::kOk) {
    read_pending_ = false;
    host.cancel_timer(kReadRpcTimer);
    host.emit("read_answered", {{"seq", a.sequence}, {"index", a.index}});
    ++reads_answered_;
    return;
  }
  read_server_ = a.leader_hint != kNoNode && a.leader_hint < params_->servers && a.leader_hint != read_server_
                     ? a.leader_hint
                     : other_server(host, read_server_);
  send_read(host);
}

NodeId ConsulNode::other_server(HostT& host, NodeId than) {
  if (params_->servers == 1) return 0;
  auto pick = static_cast<NodeId>(host.rng().below(params_->servers - 1));
  return pick >= than ? pick + 1 : pick;
}

}  // namespace faultline::consul

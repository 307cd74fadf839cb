#include "protocols/gossip/swim_node.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "protocols/host/det_math.hpp"

namespace faultline::swim {

namespace {
constexpr std::string_view kIncarnationKey = "swim/incarnation";
constexpr std::uint32_t kReconnectSeq = 0xffffffff;  // a reconnect ping: acked, but no probe's

std::string_view state_event(MemberState s) { return state_name(s); }
}  // namespace

std::string_view message_type_name(const Message& m) {
  switch (m.kind) {
    case Message::Kind::kPing: return "ping";
    case Message::Kind::kAck: return "ack";
    case Message::Kind::kPingReq: return "ping_req";
    case Message::Kind::kJoin: return "join";
    case Message::Kind::kGossip: return "gossip";
  }
  return "?";
}

SwimNode::SwimNode(NodeId self, NodeId cluster_size, SwimShared& shared)
    : self_(self), n_(cluster_size), shared_(&shared), view_(&shared.params->late_joiner) {
  const SwimParams& params = *shared.params;
  std::uint32_t log2n = 0;
  while ((1u << log2n) < cluster_size + 1u) ++log2n;
  retransmit_limit_ = params.retransmit_mult * std::max(1u, log2n);
  if (params.retransmit_log10) {
    // memberlist: lambda * ceil(log10(n + 1)).
    std::uint32_t log10n = 0;
    for (std::uint64_t p = 1; p < cluster_size + 1ull; p *= 10) ++log10n;
    retransmit_limit_ = params.retransmit_mult * std::max(1u, log10n);
  }
}

void SwimNode::on_start(HostT& host) {
  shared_->changes.clear();
  // A restarted member rejoins with an incarnation above every earlier one,
  // so its "alive" beats the "dead" the others hold about it.
  const bool restarted = host.storage().read(kIncarnationKey).has_value();
  if (restarted) incarnation_ = static_cast<std::uint32_t>(std::stoul(*host.storage().read(kIncarnationKey))) + 1;
  host.storage().write(kIncarnationKey, std::to_string(incarnation_));
  host.storage().sync();
  const bool late = self_ < params().late_joiner.size() && params().late_joiner[self_];
  if (!late || restarted) become_active(host);
  if (restarted) {
    enqueue({self_, incarnation_, MemberState::kAlive});
    shared_->changes.push_back({self_, incarnation_, MemberState::kAlive, ViewChange::Cause::kRestarted});
  }
  schedule_script(host, true);
}

void SwimNode::schedule_script(HostT& host, bool include_now) {
  // Joins and leaves of this node still to come (after a firing, strictly
  // later ones: the one at `now` has just been done).
  const Time now = host.now();
  auto ahead = [&](Time at) { return include_now ? at >= now : at > now; };
  Time next = -1;
  for (const auto& j : params().joiners)
    if (j.node == self_ && ahead(j.at) && (next < 0 || j.at < next)) next = j.at;
  for (const auto& l : params().leavers)
    if (l.node == self_ && ahead(l.at) && (next < 0 || l.at < next)) next = l.at;
  if (next >= 0) host.set_timer(kScriptTimer, next - now);
}

void SwimNode::become_active(HostT& host) {
  active_ = true;
  host.set_timer(kProbeTimer, host.rng().between(1, params().probe_interval));
  if (params().gossip_interval > 0) host.set_timer(kGossipTimer, host.rng().between(1, params().gossip_interval));
  if (params().reconnect_interval > 0)
    host.set_timer(kReconnectTimer, host.rng().between(1, params().reconnect_interval));
}

void SwimNode::on_timer(HostT& host, TimerSlot slot) {
  shared_->changes.clear();
  if (slot == kScriptTimer) {
    const Time now = host.now();
    for (const auto& j : params().joiners)
      if (j.node == self_ && j.at <= now && !active_) {
        // Join through the seed: announce ourselves alive to it.
        become_active(host);
        enqueue({self_, incarnation_, MemberState::kAlive});
        shared_->changes.push_back({self_, incarnation_, MemberState::kAlive, ViewChange::Cause::kJoined});
        host.emit("join", {{"seed", j.seed}});
        Message m;
        m.kind = Message::Kind::kJoin;
        send(host, j.seed, m);
      }
    for (const auto& l : params().leavers)
      if (l.node == self_ && l.at <= now && active_) {
        // Leave gracefully: tell a few members, then go quiet.
        enqueue({self_, incarnation_, MemberState::kLeft});
        shared_->changes.push_back({self_, incarnation_, MemberState::kLeft, ViewChange::Cause::kLeft});
        host.emit("leave", {});
        for (std::uint32_t i = 0; i < params().indirect_probes; ++i) {
          Message m;
          m.kind = Message::Kind::kPing;
          m.seq = 0;
          send(host, random_member(host, kNoNode, kNoNode), m);
        }
        active_ = false;
        host.cancel_timer(kProbeTimer);
        host.cancel_timer(kPhaseTimer);
        if (params().gossip_interval > 0) host.cancel_timer(kGossipTimer);
        if (params().reconnect_interval > 0) host.cancel_timer(kReconnectTimer);
      }
    schedule_script(host, false);
    return;
  }
  if (!active_) return;
  if (slot == kProbeTimer) {
    expire_suspicions(host);
    probe(host);
    host.set_timer(kProbeTimer, scaled(params().probe_interval));
  } else if (slot == kPhaseTimer) {
    end_phase(host);
  } else if (slot == kGossipTimer) {
    expire_suspicions(host);
    gossip(host);
    host.set_timer(kGossipTimer, params().gossip_interval);
  } else if (slot == kReconnectTimer) {
    reconnect(host);
    host.set_timer(kReconnectTimer, params().reconnect_interval);
  }
}

void SwimNode::reconnect(HostT& host) {
  // Serf's reconnect: try one member we hold dead, uniformly; send() puts
  // its death first in the ping, so if it is running it refutes, and its
  // ack (with the higher incarnation) brings it back.
  std::uint32_t dead = 0;
  for (const auto& d : view_.deltas())
    if (d.state == MemberState::kDead && d.member != self_) ++dead;
  if (dead == 0) return;
  auto pick = static_cast<std::uint32_t>(host.rng().below(dead));
  for (const auto& d : view_.deltas()) {
    if (d.state != MemberState::kDead || d.member == self_) continue;
    if (pick-- > 0) continue;
    Message m;
    m.kind = Message::Kind::kPing;
    m.seq = kReconnectSeq;
    send(host, d.member, m);
    return;
  }
}

void SwimNode::gossip(HostT& host) {
  // memberlist's gossip channel: pending updates to a few random members,
  // apart from probes, and only when there is something to say.
  if (gossip_.empty()) return;
  for (std::uint32_t i = 0; i < params().gossip_nodes && !gossip_.empty(); ++i) {
    Message m;
    m.kind = Message::Kind::kGossip;
    send(host, random_member(host, kNoNode, kNoNode), m);
  }
}

void SwimNode::adjust_awareness(int delta) {
  if (params().awareness_max == 0) return;
  const auto top = static_cast<std::int64_t>(params().awareness_max) - 1;
  awareness_ = static_cast<std::uint8_t>(std::clamp<std::int64_t>(static_cast<std::int64_t>(awareness_) + delta, 0, top));
}

Duration SwimNode::suspicion_timeout(std::size_t confirmations) const {
  if (!dynamic_suspicion()) return params().probe_interval * params().suspicion_periods;
  // memberlist: mult * log10(n) intervals (at least mult, for n below 10).
  // det::log, not libm's, so every C library computes the same timeout.
  const double scale = std::max(1.0, det::log(std::max(1.0, static_cast<double>(n_))) / det::log(10.0));
  const double min = params().suspicion_mult * scale * static_cast<double>(params().probe_interval);
  // Lifeguard: from max down to min as log(c + 1) / log(k + 1), where k
  // confirmations are expected (one per indirect prober, fewer in a tiny cluster).
  const std::uint32_t k = std::min<std::uint32_t>(params().indirect_probes, n_ > 2 ? n_ - 2 : 0);
  if (params().suspicion_max_mult <= 1 || k == 0) return static_cast<Duration>(min + 0.5);
  const double max = min * params().suspicion_max_mult;
  const double fraction = det::log(static_cast<double>(confirmations) + 1) / det::log(static_cast<double>(k) + 1);
  return static_cast<Duration>(std::max(min, max - fraction * (max - min)) + 0.5);
}

Duration SwimNode::suspicion_timeout_of(NodeId m) const {
  for (const auto& s : suspicions_)
    if (s.member == m) return suspicion_timeout(s.suspecters.size() - 1);
  return suspicion_timeout(0);
}

void SwimNode::note_suspicion(const Update& u, bool fresh) {
  // Keep the suspecters of u.member's suspicion at u.incarnation; a fresh one
  // replaces any earlier record.
  auto it = std::find_if(suspicions_.begin(), suspicions_.end(), [&](const Suspicion& s) { return s.member == u.member; });
  if (fresh) {
    if (it == suspicions_.end()) it = suspicions_.insert(suspicions_.end(), Suspicion{u.member, u.incarnation, {}});
    *it = Suspicion{u.member, u.incarnation, {u.from}};
    return;
  }
  if (it == suspicions_.end() || it->incarnation != u.incarnation || u.from == kNoNode) return;
  if (std::find(it->suspecters.begin(), it->suspecters.end(), u.from) == it->suspecters.end()) it->suspecters.push_back(u.from);
}

NodeId SwimNode::random_member(HostT& host, NodeId avoid1, NodeId avoid2) {
  // A random member we believe alive or suspect; a few draws, uniform over
  // the ids, skipping ourselves and the dead (cheap while most are alive).
  for (int attempt = 0; attempt < 16; ++attempt) {
    const auto m = static_cast<NodeId>(host.rng().below(n_));
    if (m == self_ || m == avoid1 || m == avoid2) continue;
    const MemberState s = view_.get(m).state;
    if (s == MemberState::kAlive || s == MemberState::kSuspect) return m;
  }
  return kNoNode;
}

NodeId SwimNode::round_robin_member(HostT& host) {
  // SWIM 4.3: "the member selected is chosen in a round-robin fashion" from
  // a list shuffled at the end of each pass, which bounds the time until a
  // failed member is first probed by anyone to 2n - 1 periods. The shuffle
  // here is an affine one (self + i * stride mod n, i = 1 .. n - 1): every
  // id once a pass, in an order that changes every pass, in O(1) state.
  // Ids not alive or suspect in our view are passed over, as memberlist's
  // probeNode skips dead nodes. Two passes at most, so a view with no one
  // to probe ends the search.
  if (n_ < 2) return kNoNode;
  for (std::uint64_t step = 0; step < 2ull * n_; ++step) {
    if (order_at_ == self_ || order_at_ == kNoNode) {  // before the first pass, or at the end of one
      // A new pass: a stride coprime to n, uniformly among them.
      do order_stride_ = static_cast<NodeId>(1 + host.rng().below(n_ - 1));
      while (std::gcd(order_stride_, n_) != 1);
      order_at_ = self_;
    }
    order_at_ = static_cast<NodeId>((static_cast<std::uint64_t>(order_at_) + order_stride_) % n_);
    if (order_at_ == self_) continue;  // the pass is over
    const MemberState s = view_.get(order_at_).state;
    if (s == MemberState::kAlive || s == MemberState::kSuspect) return order_at_;
  }
  return kNoNode;
}

void SwimNode::probe(HostT& host) {
  const NodeId target = params().round_robin_probes ? round_robin_member(host) : random_member(host, kNoNode, kNoNode);
  if (target == kNoNode) return;
  probe_target_ = target;
  probe_incarnation_ = view_.get(target).incarnation;
  ++probe_seq_;
  acked_ = false;
  phase_ = Phase::kDirect;
  Message m;
  m.kind = Message::Kind::kPing;
  m.seq = probe_seq_;
  send(host, target, m);
  host.set_timer(kPhaseTimer, scaled(params().probe_timeout));
}

void SwimNode::end_phase(HostT& host) {
  if (acked_) {
    phase_ = Phase::kIdle;
    adjust_awareness(-1);  // Lifeguard: a probe answered, our health is fine
    return;
  }
  if (phase_ == Phase::kDirect) {
    // SWIM 3.1: no ack in time; ask k members to ping the target for us.
    for (std::uint32_t i = 0; i < params().indirect_probes; ++i) {
      const NodeId helper = random_member(host, probe_target_, kNoNode);
      if (helper == kNoNode) break;
      Message m;
      m.kind = Message::Kind::kPingReq;
      m.seq = probe_seq_;
      m.target = probe_target_;
      send(host, helper, m);
    }
    phase_ = Phase::kIndirect;
    // The rest of the period, less a tenth, so the verdict comes before the next probe.
    host.set_timer(kPhaseTimer, std::max<Duration>(1, scaled(params().probe_interval) * 9 / 10 - scaled(params().probe_timeout)));
  } else if (phase_ == Phase::kIndirect) {
    // SWIM 4.2: suspect rather than declare dead at once.
    phase_ = Phase::kIdle;
    adjust_awareness(+1);  // Lifeguard: no ack at all; perhaps we are the slow one
    // The suspicion names the incarnation the probe was sent to (memberlist's
    // probeNode works on a copy of the target's state taken as the probe
    // began). A target heard alive at a higher one since (restarted, or
    // refuted) lives a life this probe never asked about: the suspicion of
    // its old one is old news, and SWIM 4.2's merge drops it. Suspecting
    // the new one instead made a false death on a reliable network (swarm,
    // swim/join_storm.yaml seed 16: a probe sent while its target was down,
    // the target back at incarnation 1 before the verdict, suspected at 1,
    // its refutation too slow to beat the timeout).
    const MemberInfo t = view_.get(probe_target_);
    const NodeId from = dynamic_suspicion() ? self_ : kNoNode;
    if (t.state == MemberState::kAlive) apply(host, {probe_target_, probe_incarnation_, MemberState::kSuspect, from});
    // Lifeguard: our own failed probe of a suspect confirms the suspicion.
    else if (t.state == MemberState::kSuspect && dynamic_suspicion())
      apply(host, {probe_target_, probe_incarnation_, MemberState::kSuspect, from});
  }
}

void SwimNode::expire_suspicions(HostT& host) {
  const Time now = host.now();
  const Duration timeout = params().probe_interval * params().suspicion_periods;
  std::vector<Update> expired;
  for (const auto& d : view_.deltas())
    if (d.state == MemberState::kSuspect && now - d.since >= (dynamic_suspicion() ? suspicion_timeout_of(d.member) : timeout))
      expired.push_back({d.member, d.incarnation, MemberState::kDead});
  for (const auto& u : expired) apply(host, u);
}

void SwimNode::enqueue(const Update& u) {
  // One pending update per member: a newer one replaces it.
  for (auto& p : gossip_)
    if (p.update.member == u.member) {
      p = Pending{u, 0};
      return;
    }
  gossip_.push_back(Pending{u, 0});
}

void SwimNode::send(HostT& host, NodeId to, Message m) {
  if (to == kNoNode) return;
  m.sender_incarnation = incarnation_;
  m.count = 0;
  // Buddy system (memberlist): a member we suspect hears it from us first,
  // so it can refute without waiting for the rumor to find it.
  const MemberInfo about_to = view_.get(to);
  if (params().buddy && about_to.state == MemberState::kSuspect) m.updates[m.count++] = Update{to, about_to.incarnation, MemberState::kSuspect};
  // With reconnect, the same for a member we hold dead: it hears its death and refutes.
  if (params().reconnect_interval > 0 && about_to.state == MemberState::kDead)
    m.updates[m.count++] = Update{to, about_to.incarnation, MemberState::kDead};
  // Then the least-sent updates (infection-style dissemination).
  std::stable_sort(gossip_.begin(), gossip_.end(), [](const Pending& a, const Pending& b) { return a.sent < b.sent; });
  for (auto& p : gossip_) {
    if (m.count == kMaxPiggyback) break;
    m.updates[m.count++] = p.update;
    ++p.sent;
  }
  gossip_.erase(std::remove_if(gossip_.begin(), gossip_.end(),
                               [&](const Pending& p) { return p.sent >= retransmit_limit_; }),
                gossip_.end());
  host.send(to, m);
}

void SwimNode::apply(HostT& host, const Update& u) {
  if (u.member == self_) {
    // Refute (SWIM 4.2): someone suspects or buried us while we are here.
    if ((u.state == MemberState::kSuspect || u.state == MemberState::kDead) && u.incarnation >= incarnation_ && active_ &&
        !params().no_refute) {
      incarnation_ = u.incarnation + 1;
      host.storage().write(kIncarnationKey, std::to_string(incarnation_));
      if (params().mutant != Mutant::kRefuteNotSynced) host.storage().sync();
      enqueue({self_, incarnation_, MemberState::kAlive});
      adjust_awareness(+1);  // Lifeguard: being suspected hints that we are slow
      shared_->changes.push_back({self_, incarnation_, MemberState::kAlive, ViewChange::Cause::kRefuted});
      host.emit("refute", {{"incarnation", incarnation_}});
    }
    return;
  }
  const MemberInfo current = view_.get(u.member);
  const bool mutant_refuses = params().mutant == Mutant::kSuspectNeedsHigherIncarnation &&
                              u.state == MemberState::kSuspect && current.state == MemberState::kAlive &&
                              u.incarnation == current.incarnation;
  if (!supersedes(u.state, u.incarnation, current.state, current.incarnation) || mutant_refuses) {
    // Lifeguard: another member's suspicion of one we suspect confirms it;
    // pass a new confirmation on, so the others' timeouts shrink too.
    if (dynamic_suspicion() && u.state == MemberState::kSuspect && current.state == MemberState::kSuspect &&
        u.incarnation == current.incarnation) {
      const Duration before = suspicion_timeout_of(u.member);
      note_suspicion(u, false);
      if (suspicion_timeout_of(u.member) != before) enqueue(u);
    }
    return;
  }
  view_.set(MemberInfo{u.member, u.incarnation, u.state, host.now()});
  if (dynamic_suspicion()) {
    if (u.state == MemberState::kSuspect) note_suspicion(u, true);
    else std::erase_if(suspicions_, [&](const Suspicion& s) { return s.member == u.member; });
  }
  enqueue(u);
  shared_->changes.push_back({u.member, u.incarnation, u.state, ViewChange::Cause::kLearned});
  host.emit(state_event(u.state), {{"member", u.member}, {"incarnation", u.incarnation}});
}

void SwimNode::on_message(HostT& host, NodeId from, const Message& m) {
  shared_->changes.clear();
  if (!active_) return;
  // A message is itself news that its sender is alive at its incarnation.
  apply(host, Update{from, m.sender_incarnation, MemberState::kAlive});
  for (std::uint8_t i = 0; i < m.count; ++i) apply(host, m.updates[i]);
  switch (m.kind) {
    case Message::Kind::kPing: {
      if (m.seq == 0) return;  // a leaving member's farewell
      Message ack;
      ack.kind = Message::Kind::kAck;
      ack.seq = m.seq;
      ack.target = self_;
      ack.origin = m.origin;
      send(host, from, ack);
      return;
    }
    case Message::Kind::kPingReq: {
      Message ping;
      ping.kind = Message::Kind::kPing;
      ping.seq = m.seq;
      ping.origin = from;  // answer through us to the requester
      send(host, m.target, ping);
      return;
    }
    case Message::Kind::kAck: {
      if (m.origin != kNoNode && m.origin != self_) {
        Message forward = m;
        forward.origin = kNoNode;
        send(host, m.origin, forward);
        return;
      }
      if (m.seq == probe_seq_ && m.target == probe_target_) acked_ = true;
      return;
    }
    case Message::Kind::kGossip: return;  // its updates are all it carries
    case Message::Kind::kJoin: {
      Message ack;
      ack.kind = Message::Kind::kAck;
      ack.seq = 0;
      ack.target = self_;
      send(host, from, ack);
      return;
    }
  }
}

}  // namespace faultline::swim

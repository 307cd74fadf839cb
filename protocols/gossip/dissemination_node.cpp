#include "protocols/gossip/dissemination_node.hpp"
#include "protocols/host/store_whole.hpp"

namespace faultline::gossip {

void DisseminationNode::on_start(HostT& host) {
  infective_.set_extra(false);  // versions_changed(): a new input
  // Pull and push-pull need every node to ask; push only needs the nodes
  // that have something. Start rounds at a random phase.
  if (params().exchange != Exchange::kPush) {
    round_armed_ = true;
    host.set_timer(kRoundTimer, params().synchronous_rounds ? until_next_round(host) : host.rng().between(1, params().period));
  }
  // This node's scripted updates still to come, in time order (a restarted
  // node does not replay the ones whose time has passed).
  const auto& inj = params().injections;
  while (next_injection_ < inj.size() &&
         (inj[next_injection_].node != host.self() || inj[next_injection_].at < host.now()))
    ++next_injection_;
  if (next_injection_ < inj.size()) host.set_timer(kInjectTimer, std::max<Time>(0, inj[next_injection_].at - host.now()));
}

bool DisseminationNode::has_anything() const {
  for (auto v : version_)
    if (v != 0) return true;
  return false;
}

bool DisseminationNode::any_infective() const {
  for (auto i : infective_)
    if (i) return true;
  return false;
}

bool DisseminationNode::quiescent() const {
  if (next_injection_ < params().injections.size()) return false;
  if (params().exchange != Exchange::kPush) return false;
  return params().spread == Spread::kRumorMongering ? !any_infective() : !has_anything();
}

void DisseminationNode::arm_round(HostT& host) {
  if (round_armed_) return;
  round_armed_ = true;
  host.set_timer(kRoundTimer, params().synchronous_rounds ? until_next_round(host) : params().period);
}

Duration DisseminationNode::until_next_round(const HostT& host) const {
  // The next multiple of the period, strictly after now.
  return params().period - host.now() % params().period;
}

bool DisseminationNode::necessary_contact(const HostT& host, const Item& item, bool news) const {
  if (news) return true;
  return params().synchronous_rounds && item.key < kMaxKeys && version_[item.key] == item.version &&
         shared_->learned[host.self()][item.key].cycle == cycle(host);
}

bool DisseminationNode::learn(HostT& host, std::uint16_t key, std::uint32_t version, NodeId from) {
  const bool stale = key >= kMaxKeys || (params().mutant == Mutant::kLastArrivalWins ? version == version_[key]
                                                                                       : version <= version_[key]);
  if (stale) {
    ++redundant_;
    return false;
  }
  version_[key] = version;  // newer version wins
  infective_.set_extra(true);  // versions_changed()
  if (!shared_->learned.empty()) shared_->learned[host.self()][key] = {from, cycle(host)};
  infective_[key] = 1;
  strikes_[key] = 0;
  host.emit("informed", {{"key", key}, {"version", version}, {"from", from == kNoNode ? -1 : static_cast<std::int64_t>(from)}});
  // Push spreads news at once (Demers: a newly infective site starts
  // spreading); the node then keeps its own round timer.
  if (params().exchange == Exchange::kPush) {
    if (params().push_on_learn) push(host, true, key);
    arm_round(host);
  }
  return true;
}

void DisseminationNode::on_timer(HostT& host, TimerSlot slot) {
  infective_.set_extra(false);  // versions_changed(): a new input
  if (slot == kInjectTimer) {
    const auto& inj = params().injections;
    const Injection& i = inj[next_injection_];
    learn(host, i.key, i.version, kNoNode);
    for (++next_injection_; next_injection_ < inj.size() && inj[next_injection_].node != host.self();) ++next_injection_;
    if (next_injection_ < inj.size()) host.set_timer(kInjectTimer, std::max<Time>(0, inj[next_injection_].at - host.now()));
    return;
  }
  round_armed_ = false;
  round(host);
}

void DisseminationNode::round(HostT& host) {
  switch (params().exchange) {
    case Exchange::kPush:
      if (!any_infective()) return;  // removed from every rumor: stop (SIR), no timer
      push(host, false, 0);
      if (params().spread == Spread::kRumorMongering &&
          (params().removal == Removal::kBlindCounter || params().removal == Removal::kBlindCoin)) {
        for (std::uint16_t k = 0; k < kMaxKeys; ++k)
          if (infective_[k]) after_contact(host, k, true);
      }
      if (any_infective()) arm_round(host);
      return;
    case Exchange::kPull:
    case Exchange::kPushPull: {
      Message m;
      m.kind = params().exchange == Exchange::kPull ? Message::Kind::kPullRequest : Message::Kind::kPushPull;
      for (std::uint16_t k = 0; k < kMaxKeys; ++k)
        if (version_[k] != 0) m.items[m.count++] = Item{k, version_[k]};
      store_whole(m);  // stored once, not before each copy (protocols/host/store_whole.hpp)
      const Peers peers(host);
      for (std::uint32_t i = 0; i < params().fanout; ++i) host.send(peers.pick(kNoNode), m);
      arm_round(host);
      return;
    }
  }
}

void DisseminationNode::push(HostT& host, bool only_fresh_key, std::uint16_t fresh_key) {
  Message m;
  m.kind = Message::Kind::kPush;
  for (std::uint16_t k = 0; k < kMaxKeys; ++k) {
    if ((only_fresh_key && k != fresh_key) || (!only_fresh_key && params().mutant == Mutant::kForwardOnce)) continue;
    if (version_[k] != 0 && (infective_[k] || params().spread == Spread::kAntiEntropy))
      m.items[m.count++] = Item{k, version_[k]};
  }
  if (m.count == 0) return;
  store_whole(m);  // stored once, not before each copy (protocols/host/store_whole.hpp)
  const Peers peers(host);
  // No send-back (spec): avoid the node this update came from.
  const NodeId avoid =
      params().no_send_back && m.count == 1 ? shared_->learned[peers.self][m.items[0].key].from : kNoNode;
  for (std::uint32_t i = 0; i < params().fanout; ++i) host.send(peers.pick(avoid), m);
}

void DisseminationNode::after_contact(HostT& host, std::uint16_t key, bool useless) {
  if (params().spread != Spread::kRumorMongering || !infective_[key] || !useless) return;
  const bool coin = params().removal == Removal::kFeedbackCoin || params().removal == Removal::kBlindCoin;
  const bool removed = coin ? host.rng().below(params().removal_k) == 0 : ++strikes_[key] >= params().removal_k;
  if (removed) {
    infective_[key] = 0;
    host.emit("removed", {{"key", key}, {"version", version_[key]}});
  }
}

void DisseminationNode::on_message_in_full(HostT& host, NodeId from, const Message& m) {
  switch (m.kind) {
    case Message::Kind::kPush: {
      // Feedback (Demers 1.4): the sender learns, per update, whether this
      // contact was necessary. "Already had" drives removal; the counter
      // variant also needs to hear of necessary contacts, which reset it.
      if (!shared_->push_feedback) {
        // No one hears back: learning is all (a delivery of push gossip
        // without feedback, most of a big run's events, skips building
        // the two replies; necessary_contact has no effects).
        // The test of learn's first line, here: a redundant delivery (most
        // of them) is counted without the call.
        for (std::uint8_t i = 0; i < m.count; ++i) {
          if (brings_news(m.items[i]))
            learn(host, m.items[i].key, m.items[i].version, from);
          else
            ++redundant_;
        }
        return;
      }
      Message unnecessary, necessary;
      unnecessary.kind = Message::Kind::kAlreadyHad;
      necessary.kind = Message::Kind::kNews;
      for (std::uint8_t i = 0; i < m.count; ++i) {
        const bool news = learn(host, m.items[i].key, m.items[i].version, from);
        Message& reply = necessary_contact(host, m.items[i], news) ? necessary : unnecessary;
        reply.items[reply.count++] = m.items[i];
      }
      if (unnecessary.count > 0) host.send(from, unnecessary);
      if (necessary.count > 0 && params().removal == Removal::kFeedbackCounter) host.send(from, necessary);
      return;
    }
    case Message::Kind::kAlreadyHad:
      for (std::uint8_t i = 0; i < m.count; ++i) after_contact(host, m.items[i].key, true);
      return;
    case Message::Kind::kNews:
      // A necessary contact: the counter counts unnecessary contacts since the last one.
      for (std::uint8_t i = 0; i < m.count; ++i)
        if (m.items[i].key < kMaxKeys && m.items[i].version == version_[m.items[i].key]) strikes_[m.items[i].key] = 0;
      return;
    case Message::Kind::kPullRequest:
    case Message::Kind::kPushPull: {
      // Learn what the initiator has newer (push-pull), answer with what it lacks.
      std::array<std::uint32_t, kMaxKeys> theirs{};
      for (std::uint8_t i = 0; i < m.count; ++i) {
        if (m.items[i].key >= kMaxKeys) continue;
        theirs[m.items[i].key] = m.items[i].version;
        if (m.kind == Message::Kind::kPushPull) learn(host, m.items[i].key, m.items[i].version, from);
      }
      Message reply;
      reply.kind = Message::Kind::kPullReply;
      const std::uint32_t bump = params().mutant == Mutant::kBumpOnReply ? 1 : 0;
      for (std::uint16_t k = 0; k < kMaxKeys; ++k)
        if (version_[k] > theirs[k]) reply.items[reply.count++] = Item{k, version_[k] + bump};
      if (reply.count > 0) host.send(from, reply);
      return;
    }
    case Message::Kind::kPullReply:
      for (std::uint8_t i = 0; i < m.count; ++i) learn(host, m.items[i].key, m.items[i].version, from);
      return;
  }
}

}  // namespace faultline::gossip

#include "sim/faults/nemesis.hpp"

#include <algorithm>

namespace faultline {

Nemesis::Nemesis(const std::vector<NemesisSpec>& specs, NodeId nodes, Time run_end, std::uint64_t seed)
    : specs_(specs), nodes_(nodes), run_end_(run_end), rng_(seed), down_(specs.size(), 0) {}

std::uint32_t Nemesis::new_token(Token t) {
  tokens_.push_back(t);
  return static_cast<std::uint32_t>(tokens_.size() - 1);
}

std::vector<NemesisWakeup> Nemesis::first_wakeups() {
  std::vector<NemesisWakeup> out;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const auto& s = specs_[i];
    const Time at = s.start + draw(s.every_min, s.every_max);
    if (at < stop_of(s)) out.push_back({at, new_token({i, false, kNoNode})});
  }
  return out;
}

void Nemesis::fire(std::uint32_t token, Time now, const std::vector<NodeStatus>& status, NodeId leader,
                   std::vector<NemesisAction>& actions, std::vector<NemesisWakeup>& wakeups) {
  const Token t = tokens_[token];
  const NemesisSpec& s = specs_[t.spec];
  using K = NemesisSpec::Kind;
  using A = NemesisAction::Kind;

  if (t.recovery) {
    // Undo what this nemesis did, if nothing else already undid it.
    switch (s.kind) {
      case K::kCrash:
        if (status[t.node] == NodeStatus::kCrashed) actions.push_back({A::kRestart, t.node, {}});
        --down_[t.spec];
        break;
      case K::kPause:
        if (status[t.node] == NodeStatus::kPaused) actions.push_back({A::kResume, t.node, {}});
        --down_[t.spec];
        break;
      case K::kPartition:
      case K::kIsolate:
        actions.push_back({A::kHeal, kNoNode, {}});
        break;
    }
    return;
  }

  // Inject one fault, schedule its undo, and schedule the next injection.
  // Default: a minority of the nodes it may hit (all, or the role's members).
  const NodeId targets = s.target_nodes.empty() ? nodes_ : static_cast<NodeId>(s.target_nodes.size());
  const std::uint32_t max_down = s.max_down ? *s.max_down : (targets - 1) / 2;
  const Duration recover = draw(s.recover_min, s.recover_max);
  switch (s.kind) {
    case K::kCrash:
    case K::kPause: {
      std::vector<NodeId> running;
      if (s.target_nodes.empty()) {
        for (NodeId n = 0; n < nodes_; ++n)
          if (status[n] == NodeStatus::kRunning) running.push_back(n);
      } else {
        for (NodeId n : s.target_nodes)
          if (status[n] == NodeStatus::kRunning) running.push_back(n);
      }
      const bool leader_ok = leader != kNoNode && status[leader] == NodeStatus::kRunning;
      if (s.target_leader && !leader_ok) break;  // no leader to hit this time; try again next round
      if (!running.empty() && down_[t.spec] < max_down) {
        const NodeId victim = s.target_leader ? leader : running[rng_.below(running.size())];
        actions.push_back({s.kind == K::kCrash ? A::kCrash : A::kPause, victim, {}, s.target_leader});
        ++down_[t.spec];
        wakeups.push_back({now + recover, new_token({t.spec, true, victim})});
      }
      break;
    }
    case K::kPartition: {
      if (nodes_ >= 2) {
        // A random minority of 1 .. (n-1)/2 nodes (at least 1), by a partial
        // Fisher-Yates shuffle over ids.
        const NodeId most = std::max<NodeId>(1, (nodes_ - 1) / 2);
        const auto size = static_cast<NodeId>(1 + rng_.below(most));
        std::vector<NodeId> ids(nodes_);
        for (NodeId n = 0; n < nodes_; ++n) ids[n] = n;
        for (NodeId i = 0; i < size; ++i) std::swap(ids[i], ids[i + rng_.below(nodes_ - i)]);
        ids.resize(size);
        std::sort(ids.begin(), ids.end());
        actions.push_back({A::kPartition, kNoNode, std::move(ids)});
        wakeups.push_back({now + recover, new_token({t.spec, true, kNoNode})});
      }
      break;
    }
    case K::kIsolate: {
      if (s.target_leader && leader == kNoNode) break;
      const auto victim = s.target_leader           ? leader
                          : !s.target_nodes.empty() ? s.target_nodes[rng_.below(s.target_nodes.size())]
                                                    : static_cast<NodeId>(rng_.below(nodes_));
      actions.push_back({A::kIsolate, victim, {}, s.target_leader});
      wakeups.push_back({now + recover, new_token({t.spec, true, victim})});
      break;
    }
  }
  const Time next = now + draw(s.every_min, s.every_max);
  if (next < stop_of(s)) wakeups.push_back({next, new_token({t.spec, false, kNoNode})});
}

}  // namespace faultline

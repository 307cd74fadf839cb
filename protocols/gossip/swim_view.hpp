// A SWIM member's view of the membership, stored as differences from a base
// view that every node shares: "every initial member alive at incarnation 0,
// every later joiner unknown". A node holds one entry per member about which
// it knows something newer, so a cluster of a million nodes with a handful of
// failures holds a handful of entries per node, not a million.
//
// The merge rules (memberlist, after SWIM section 4.2): for the same member,
//   alive(i)   beats suspect(j) and alive(j) when i > j
//   suspect(i) beats alive(j) when i >= j, and suspect(j) when i > j
//   dead(i)    beats alive(j) and suspect(j) when i >= j
//   left(i)    like dead, but a chosen departure
// and a dead or left member comes back only with a higher incarnation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline::swim {

enum class MemberState : std::uint8_t { kAlive = 0, kSuspect = 1, kDead = 2, kLeft = 3, kUnknown = 4 };

// The state's name in traces: the kind of the event that reports a change
// to it, and its word in a message's `updates` field.
inline std::string_view state_name(MemberState s) {
  switch (s) {
    case MemberState::kAlive: return "alive";
    case MemberState::kSuspect: return "suspect";
    case MemberState::kDead: return "dead";
    case MemberState::kLeft: return "left";
    case MemberState::kUnknown: return "unknown";
  }
  return "?";
}

struct MemberInfo {
  NodeId member = kNoNode;
  std::uint32_t incarnation = 0;
  MemberState state = MemberState::kAlive;
  Time since = 0;  // local time of the last state change (suspicion deadline base)
};

// Whether `update` should replace what we know (`current`).
inline bool supersedes(MemberState new_state, std::uint32_t new_inc, MemberState old_state, std::uint32_t old_inc) {
  switch (new_state) {
    case MemberState::kAlive:
      if (old_state == MemberState::kUnknown) return true;
      return new_inc > old_inc;
    case MemberState::kSuspect:
      if (old_state == MemberState::kUnknown) return true;
      if (old_state == MemberState::kAlive) return new_inc >= old_inc;
      if (old_state == MemberState::kSuspect) return new_inc > old_inc;
      return false;  // dead and left stay until a higher alive
    case MemberState::kDead:
    case MemberState::kLeft:
      if (old_state == MemberState::kDead || old_state == MemberState::kLeft) return false;
      return new_inc >= old_inc || old_state == MemberState::kUnknown;
    case MemberState::kUnknown:
      return false;
  }
  return false;
}

class MembershipView {
 public:
  // `is_initial_member(m)`: the base view's state for m (alive, else unknown).
  explicit MembershipView(const std::vector<bool>* late_joiner) : late_joiner_(late_joiner) {}

  MemberInfo get(NodeId m) const {
    auto it = find(m);
    if (it != deltas_.end() && it->member == m) return *it;
    const bool late = late_joiner_ && m < late_joiner_->size() && (*late_joiner_)[m];
    return MemberInfo{m, 0, late ? MemberState::kUnknown : MemberState::kAlive, 0};
  }
  void set(const MemberInfo& info) {
    auto it = std::lower_bound(deltas_.begin(), deltas_.end(), info.member,
                               [](const MemberInfo& a, NodeId m) { return a.member < m; });
    if (it != deltas_.end() && it->member == info.member) *it = info;
    else deltas_.insert(it, info);
  }
  // Differences from the base view, in member order.
  const std::vector<MemberInfo>& deltas() const { return deltas_; }

 private:
  std::vector<MemberInfo>::const_iterator find(NodeId m) const {
    return std::lower_bound(deltas_.begin(), deltas_.end(), m, [](const MemberInfo& a, NodeId x) { return a.member < x; });
  }
  const std::vector<bool>* late_joiner_;
  std::vector<MemberInfo> deltas_;  // sorted by member
};

}  // namespace faultline::swim

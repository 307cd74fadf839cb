// Which directed links are cut: partitions, one-way cuts, isolations, heals.
//
// Model: every fault adds a cut; heal removes all active cuts. A message is
// lost if a cut blocks its link when it is sent, or if a cut that blocks it
// was added while it was in flight (even if healed again before it arrives):
// "messages in flight across a new partition are dropped".
//
// Invariant: cuts_ is append-only and ordered by `version` (1, 2, 3, ...);
// `active` flips to false only on heal. A message remembers version() at send
// time; on arrival only cuts newer than that need checking.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline {

class Connectivity {
 public:
  explicit Connectivity(NodeId nodes) : nodes_(nodes) {}

  // No traffic between nodes of different groups; nodes in no group form one
  // more group together.
  void partition(const std::vector<std::vector<NodeId>>& groups);
  // Messages from any node of `from` to any node of `to` are lost.
  void cut_one_way(const std::vector<NodeId>& from, const std::vector<NodeId>& to);
  // `node` can neither send to nor hear from anyone.
  void isolate(NodeId node);
  void heal();

  std::uint32_t version() const { return static_cast<std::uint32_t>(cuts_.size()); }
  bool any_active() const { return active_count_ > 0; }

  // At send time: does an active cut block from -> to?
  bool blocked_now(NodeId from, NodeId to) const;
  // At arrival: did a cut added after `sent_version` block from -> to?
  bool blocked_since(std::uint32_t sent_version, NodeId from, NodeId to) const;

 private:
  // One cut. Group cut: labels differ -> blocked. Directed cut: label[from]
  // == 1 and label[to] == 2 -> blocked.
  struct Cut {
    bool directed = false;
    bool active = true;
    std::vector<std::uint8_t> label;  // one per node
    bool blocks(NodeId from, NodeId to) const {
      return directed ? (label[from] == 1 && label[to] == 2) : label[from] != label[to];
    }
  };
  NodeId nodes_;
  std::vector<Cut> cuts_;
  std::uint32_t active_count_ = 0;
};

}  // namespace faultline

#include "sim/network/connectivity.hpp"

#include <stdexcept>

namespace faultline {

void Connectivity::partition(const std::vector<std::vector<NodeId>>& groups) {
  if (groups.size() > 254) throw std::invalid_argument("at most 254 partition groups");
  Cut cut;
  cut.label.assign(nodes_, 0);  // group 0: nodes named in no group
  std::uint8_t label = 1;
  for (const auto& group : groups) {
    for (NodeId n : group) cut.label[n] = label;
    ++label;
  }
  cuts_.push_back(std::move(cut));
  ++active_count_;
}

void Connectivity::cut_one_way(const std::vector<NodeId>& from, const std::vector<NodeId>& to) {
  Cut cut;
  cut.directed = true;
  cut.label.assign(nodes_, 0);
  for (NodeId n : from) cut.label[n] = 1;
  for (NodeId n : to) cut.label[n] = 2;
  cuts_.push_back(std::move(cut));
  ++active_count_;
}

void Connectivity::isolate(NodeId node) { partition({{node}}); }

void Connectivity::heal() {
  for (auto& cut : cuts_) {
    if (cut.active) {
      cut.active = false;
      // Healed cuts still matter for messages sent before them; their labels
      // stay. (A long run with many cuts on a huge cluster could prune cuts
      // older than the oldest message in flight.)
    }
  }
  active_count_ = 0;
}

bool Connectivity::blocked_now(NodeId from, NodeId to) const {
  if (active_count_ == 0) return false;
  for (const auto& cut : cuts_)
    if (cut.active && cut.blocks(from, to)) return true;
  return false;
}

bool Connectivity::blocked_since(std::uint32_t sent_version, NodeId from, NodeId to) const {
  for (std::size_t i = sent_version; i < cuts_.size(); ++i)
    if (cuts_[i].blocks(from, to)) return true;
  return false;
}

}  // namespace faultline

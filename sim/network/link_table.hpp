// The properties of each directed link: the scenario's network defaults with
// its `links` overrides applied (later overrides win, field by field).
#pragma once

#include <cstdint>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

struct LinkParams {
  const LatencySpec* latency;
  Probability loss;
  Probability duplicate;
};

class LinkTable {
 public:
  LinkTable(const NetworkSpec& spec, NodeId nodes);

  // Hot path: with no overrides this is a copy of the defaults.
  LinkParams resolve(NodeId from, NodeId to) const {
    if (overrides_.empty()) return defaults_;
    return resolve_with_overrides(from, to);
  }
  // Every link is the defaults and loses and duplicates nothing: a send
  // needs only the latency (`default_latency`), with no copy of the link
  // and no loss or duplication test (most big runs' every send).
  bool all_reliable() const { return all_reliable_; }
  const LatencySpec& default_latency() const { return *defaults_.latency; }

 private:
  struct Override {
    std::vector<std::uint8_t> side;  // bit 0: in `from`, bit 1: in `to`
    bool symmetric;
    const LatencySpec* latency;      // null: not overridden
    bool has_loss, has_duplicate;
    Probability loss, duplicate;
    bool matches(NodeId from, NodeId to) const {
      if ((side[from] & 1) && (side[to] & 2)) return true;
      return symmetric && (side[to] & 1) && (side[from] & 2);
    }
  };
  LinkParams resolve_with_overrides(NodeId from, NodeId to) const;

  LinkParams defaults_;
  std::vector<Override> overrides_;
  bool all_reliable_ = false;  // overrides_ empty, defaults_ neither lose nor duplicate
};

}  // namespace faultline

// The version of one key that each node holds, as the gossip observer last
// saw it: one byte a node while every version seen fits in a byte, four
// once one does not. A push broadcast at a million nodes injects a handful
// of versions, so this is 1 MB where a word a node was 4 MB of a peak held
// to 150 bytes a node (docs/performance.md, issue 15).
//
// Invariant: at most one of narrow_ and wide_ is non-empty, and it has one
// element per node; every value of narrow_ is below 256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline {

class NodeVersions {
 public:
  // Whether assign() has not been called yet (or was, for no node).
  bool empty() const { return narrow_.empty() && wide_.empty(); }
  // Version 0 (none) at every one of `nodes` nodes.
  void assign(std::size_t nodes) {
    wide_ = {};
    narrow_.assign(nodes, 0);
  }
  std::uint32_t operator[](NodeId node) const { return wide_.empty() ? narrow_[node] : wide_[node]; }
  void set(NodeId node, std::uint32_t version) {
    if (wide_.empty()) {
      if (version <= 0xff) {
        narrow_[node] = static_cast<std::uint8_t>(version);
        return;
      }
      widen();
    }
    wide_[node] = version;
  }
  // Bytes a node it takes now (1 or 4), for tests.
  std::size_t bytes_per_node() const { return wide_.empty() ? 1 : 4; }

 private:
  void widen() {
    wide_.assign(narrow_.begin(), narrow_.end());
    narrow_ = {};
  }
  std::vector<std::uint8_t> narrow_;
  std::vector<std::uint32_t> wide_;
};

}  // namespace faultline

// Which trace lines say a node took a role, for the viewer's lanes and the
// Chrome trace's role slices: Raft's and Multi-Paxos's `leader`, `follower`,
// `candidate` kinds (with `term`, or `round` for Multi-Paxos), and a `role`
// line with fields `role` and `term` (docs/trace-format.md).
#pragma once

#include <optional>
#include <string>

#include "sim/view/trace_reader.hpp"

namespace faultline::view {

struct RoleEvent {
  std::string role;  // "leader", "follower", "candidate", ...
  std::string term;  // as written; "" when the line has none
};

inline std::optional<RoleEvent> role_event(const TraceLine& line) {
  if (line.node.empty()) return std::nullopt;
  auto term_of = [&] {
    if (line.field("term")) return line.string_field("term");
    return line.string_field("round");
  };
  if (line.kind == "leader" || line.kind == "follower" || line.kind == "candidate")
    return RoleEvent{line.kind, term_of()};
  if (line.kind == "role" && line.field("role")) return RoleEvent{line.string_field("role"), term_of()};
  return std::nullopt;
}

}  // namespace faultline::view

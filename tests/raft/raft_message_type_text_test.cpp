// RaftProtocol::message_type_text, the precomputed form of each message's
// type that every send folds into the trace hash: it must name what
// message_type names (the trace's "type" field) and fold the same words, or
// a run's hash would change with the path its sends take.
#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/trace/trace_hash.hpp"
#include "tests/support/simulations.hpp"

using namespace faultline;

TEST_CASE("raft message_type_text names and hashes what message_type does for every kind of message") {
  raft::AppendEntries with_entry{3, 0, 0, {}, 0, 0};
  with_entry.entries.push_back(raft::Entry(3, true));
  const std::vector<raft::Message> messages = {
      raft::RequestVote{4, 1, 1, false, false}, raft::RequestVote{4, 1, 1, true, false},
      raft::VoteReply{4, true, false},          raft::VoteReply{4, true, true},
      raft::AppendEntries{3, 0, 0, {}, 0, 0},   with_entry,
      raft::AppendReply{3, true, 1, 0, 0, 0},   raft::InstallSnapshot{},
      raft::TimeoutNow{5}};
  std::vector<std::string_view> seen;
  for (const raft::Message& m : messages) {
    const std::string_view type = RaftProtocol::message_type(m);
    CHECK(RaftProtocol::message_type_text(m).text() == type);
    TraceHash direct, precomputed;
    direct.add(type);
    RaftProtocol::message_type_text(m).add_to(precomputed);
    CHECK_MESSAGE(direct.value() == precomputed.value(), type);
    seen.push_back(type);
  }
  // Every type the trace format names, once each (docs/trace-format.md).
  CHECK(seen == std::vector<std::string_view>{"request_vote", "pre_vote", "vote_reply", "pre_vote_reply", "heartbeat",
                                              "append_entries", "append_reply", "install_snapshot", "timeout_now"});
}

// A libraft RPC as a faultline Message: a deep copy of struct raft_message.
//
// The network may deliver a message twice or never, so a Message owns all
// its bytes (entries, snapshot data, configuration) by value; the pointers
// inside `header` are always null. On delivery the adapter rebuilds a
// raft_message whose memory the library then owns (raft_malloc, the
// ownership rule of raft_io's recv callback).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/host/trace_field.hpp"
#include "protocols/libraft/raft_c.hpp"

namespace faultline::libraft {

struct WireEntry {
  raft_term term = 0;
  unsigned short type = 0;  // RAFT_COMMAND, RAFT_BARRIER, RAFT_CHANGE
  std::string data;
};

struct WireServer {
  raft_id id = 0;
  int role = RAFT_VOTER;
};

struct Message {
  raft_message header{};             // type and the fixed fields; pointers null
  std::vector<WireEntry> entries;    // AppendEntries
  std::vector<WireServer> conf;      // InstallSnapshot: configuration as of last_index
  std::string snapshot_data;         // InstallSnapshot
};

inline std::string_view message_type_name(const Message& m) {
  switch (m.header.type) {
    case RAFT_IO_APPEND_ENTRIES: return "append_entries";
    case RAFT_IO_APPEND_ENTRIES_RESULT: return "append_entries_result";
    case RAFT_IO_REQUEST_VOTE: return "request_vote";
    case RAFT_IO_REQUEST_VOTE_RESULT: return "request_vote_result";
    case RAFT_IO_INSTALL_SNAPSHOT: return "install_snapshot";
    case RAFT_IO_TIMEOUT_NOW: return "timeout_now";
  }
  return "?";
}

// Bytes on a wire: the fixed part, and each entry's header and data.
inline std::uint32_t message_bytes(const Message& m) {
  std::size_t bytes = 48 + m.snapshot_data.size() + m.conf.size() * 16;
  for (const auto& e : m.entries) bytes += 16 + e.data.size();
  return static_cast<std::uint32_t>(bytes);
}

// The message's fields for the trace (docs/trace-format.md, "Message
// fields"): libraft's own names where they differ from faultline's Raft
// (`rejected`: the index an AppendEntries was rejected at, 0 if accepted;
// `last_index`: the receiver's last log index, as a hint).
template <class F>
void message_fields(const Message& m, F&& field) {
  const raft_message& h = m.header;
  switch (h.type) {
    case RAFT_IO_REQUEST_VOTE:
      field(TraceField{"term", std::uint64_t{h.request_vote.term}});
      field(TraceField{"last_index", std::uint64_t{h.request_vote.last_log_index}});
      field(TraceField{"last_term", std::uint64_t{h.request_vote.last_log_term}});
      field(TraceField{"pre_vote", h.request_vote.pre_vote ? 1 : 0});
      field(TraceField{"disrupt_leader", h.request_vote.disrupt_leader ? 1 : 0});
      break;
    case RAFT_IO_REQUEST_VOTE_RESULT:
      field(TraceField{"term", std::uint64_t{h.request_vote_result.term}});
      field(TraceField{"granted", h.request_vote_result.vote_granted ? 1 : 0});
      break;
    case RAFT_IO_APPEND_ENTRIES:
      field(TraceField{"term", std::uint64_t{h.append_entries.term}});
      field(TraceField{"prev_index", std::uint64_t{h.append_entries.prev_log_index}});
      field(TraceField{"prev_term", std::uint64_t{h.append_entries.prev_log_term}});
      field(TraceField{"count", static_cast<std::uint64_t>(m.entries.size())});
      field(TraceField{"commit", std::uint64_t{h.append_entries.leader_commit}});
      break;
    case RAFT_IO_APPEND_ENTRIES_RESULT:
      field(TraceField{"term", std::uint64_t{h.append_entries_result.term}});
      field(TraceField{"rejected", std::uint64_t{h.append_entries_result.rejected}});
      field(TraceField{"last_index", std::uint64_t{h.append_entries_result.last_log_index}});
      break;
    case RAFT_IO_INSTALL_SNAPSHOT:
      field(TraceField{"term", std::uint64_t{h.install_snapshot.term}});
      field(TraceField{"last_index", std::uint64_t{h.install_snapshot.last_index}});
      field(TraceField{"last_term", std::uint64_t{h.install_snapshot.last_term}});
      break;
    case RAFT_IO_TIMEOUT_NOW:
      field(TraceField{"term", std::uint64_t{h.timeout_now.term}});
      field(TraceField{"last_index", std::uint64_t{h.timeout_now.last_log_index}});
      field(TraceField{"last_term", std::uint64_t{h.timeout_now.last_log_term}});
      break;
  }
}

}  // namespace faultline::libraft

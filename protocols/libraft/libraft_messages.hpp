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

}  // namespace faultline::libraft

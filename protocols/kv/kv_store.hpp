// The replicated state machine: a key-value map with get, put, append and
// compare-and-set, and client sessions so a retried request applies once.
//
// Invariant: applying the same sequence of requests to two stores leaves them
// equal and gives the same replies (determinism is what makes replication
// work), and snapshot() gives them the same bytes; last_applied_[c] only
// grows.
#pragma once

#include <string>
#include <string_view>

#include "protocols/kv/insert_only_table.hpp"
#include "protocols/kv/kv_client_protocol.hpp"

namespace faultline::kv {

class KvStore {
 public:
  // Applies `r` (or, for a duplicate of the last request of its client,
  // returns the remembered reply without applying it again).
  Reply apply(const Request& r) {
    auto& session = sessions_[r.client];
    if (r.sequence != 0 && r.sequence <= session.last_sequence) {
      Reply again = session.last_reply;
      if (r.sequence != session.last_sequence) again.value.clear();  // older than the last: answered long ago
      return again;
    }
    Reply reply{r.client, r.sequence, Reply::Status::kOk, kNoNode, {}, false};
    if (is_admin(r.kind)) {  // they change the cluster, not the data
      session.last_sequence = r.sequence;
      session.last_reply = reply;
      return reply;
    }
    auto& slot = data_[r.key];
    switch (r.kind) {
      case OpKind::kGet: reply.value = slot; break;
      case OpKind::kPut: slot = r.value; break;
      case OpKind::kAppend: slot += r.value; break;
      case OpKind::kCas:
        reply.cas_ok = slot == r.expected;
        if (reply.cas_ok) slot = r.value;
        break;
      default:
        break;
    }
    session.last_sequence = r.sequence;
    session.last_reply = reply;
    return reply;
  }

  // A read that does not go through the log or the sessions.
  std::string read(std::string_view key) const {
    const std::string* value = data_.find(key);
    return value ? *value : std::string();
  }

  bool operator==(const KvStore& other) const { return data_ == other.data_; }

  // The whole state (data and sessions) as one string, for snapshots; and
  // back. restore(snapshot()) gives an equal store with the same sessions.
  std::string snapshot() const;
  static KvStore restore(const std::string& text);

 private:
  struct Session {
    std::uint64_t last_sequence = 0;
    Reply last_reply;
  };
  // Hash maps (nothing is ever removed: a get of an absent key adds it,
  // empty): every request looks up one key and one session, and only
  // snapshot() iterates, in sorted order, so no insertion order reaches a
  // byte anyone sees.
  InsertOnlyTable<std::string, std::string> data_;
  InsertOnlyTable<ClientId, Session> sessions_;
};

}  // namespace faultline::kv

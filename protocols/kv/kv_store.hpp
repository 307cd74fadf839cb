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
  // gives the remembered reply without applying it again). The reply is
  // the client's session's (built there, not copied there), valid until
  // the next apply or restore.
  const Reply& apply(const Request& r) { return apply(r, key_hash(r.key)); }
  // apply(r) with r.key's key_hash() given (a replicated command's, hashed
  // once for every replica): `hashed` must be key_hash(r.key).
  const Reply& apply(const Request& r, std::uint64_t hashed) {
    Session& session = sessions_[r.client];
    if (r.sequence != 0 && r.sequence <= session.last_sequence) {
      if (r.sequence == session.last_sequence) return session.last_reply;
      older_reply_ = session.last_reply;  // older than the last: answered long ago
      older_reply_.value.clear();
      return older_reply_;
    }
    session.last_sequence = r.sequence;
    Reply& reply = session.last_reply;
    reply.client = r.client;
    reply.sequence = r.sequence;
    reply.status = Reply::Status::kOk;
    reply.leader_hint = kNoNode;
    reply.cas_ok = false;
    if (is_admin(r.kind)) {  // they change the cluster, not the data
      reply.value.clear();
      return reply;
    }
    std::string& slot = data_.at_hashed(r.key, hashed);
    switch (r.kind) {
      case OpKind::kGet: reply.value = slot; return reply;
      case OpKind::kPut: slot = r.value; break;
      case OpKind::kAppend: slot += r.value; break;
      case OpKind::kCas:
        reply.cas_ok = slot == r.expected;
        if (reply.cas_ok) slot = r.value;
        break;
      default:
        break;
    }
    reply.value.clear();
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
  Reply older_reply_;  // apply()'s reply to a request older than its client's last (not state: never in a snapshot)
};

}  // namespace faultline::kv

#include "protocols/kv/kv_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace faultline::kv {

namespace {

// Length-prefixed fields ("5:hello"), so any byte may appear in a value.
void put_field(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

void put_number(std::string& out, std::uint64_t n) { put_field(out, std::to_string(n)); }

class FieldReader {
 public:
  explicit FieldReader(const std::string& text) : text_(text) {}
  std::string field() {
    const auto colon = text_.find(':', pos_);
    if (colon == std::string::npos) throw std::runtime_error("kv snapshot: truncated");
    const std::size_t length = std::stoull(text_.substr(pos_, colon - pos_));
    if (colon + 1 + length > text_.size()) throw std::runtime_error("kv snapshot: truncated");
    std::string out = text_.substr(colon + 1, length);
    pos_ = colon + 1 + length;
    return out;
  }
  std::uint64_t number() { return std::stoull(field()); }

 private:
  const std::string& text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string KvStore::snapshot() const {
  std::string out;
  // Sorted by key, and the sessions by client: the tables' order is the
  // order requests came in (see insert_only_table.hpp).
  std::vector<const InsertOnlyTable<std::string, std::string>::Entry*> entries;
  entries.reserve(data_.size());
  for (const auto& kv : data_.entries()) entries.push_back(&kv);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->key < b->key; });
  put_number(out, entries.size());
  for (const auto* kv : entries) {
    put_field(out, kv->key);
    put_field(out, kv->value);
  }
  std::vector<const InsertOnlyTable<ClientId, Session>::Entry*> sessions;
  sessions.reserve(sessions_.size());
  for (const auto& kv : sessions_.entries()) sessions.push_back(&kv);
  std::sort(sessions.begin(), sessions.end(), [](auto* a, auto* b) { return a->key < b->key; });
  put_number(out, sessions.size());
  for (const auto* kv : sessions) {
    const Session& s = kv->value;
    put_number(out, kv->key);
    put_number(out, s.last_sequence);
    put_number(out, s.last_reply.client);
    put_number(out, s.last_reply.sequence);
    put_number(out, static_cast<std::uint64_t>(s.last_reply.status));
    put_number(out, s.last_reply.leader_hint);
    put_field(out, s.last_reply.value);
    put_number(out, s.last_reply.cas_ok ? 1 : 0);
  }
  return out;
}

KvStore KvStore::restore(const std::string& text) {
  KvStore store;
  FieldReader in(text);
  for (auto n = in.number(); n > 0; --n) {
    std::string key = in.field();
    store.data_[std::move(key)] = in.field();
  }
  for (auto n = in.number(); n > 0; --n) {
    Session& s = store.sessions_[static_cast<ClientId>(in.number())];
    s.last_sequence = in.number();
    s.last_reply.client = static_cast<ClientId>(in.number());
    s.last_reply.sequence = in.number();
    s.last_reply.status = static_cast<Reply::Status>(in.number());
    s.last_reply.leader_hint = static_cast<NodeId>(in.number());
    s.last_reply.value = in.field();
    s.last_reply.cas_ok = in.number() != 0;
  }
  return store;
}

}  // namespace faultline::kv

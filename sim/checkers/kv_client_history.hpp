// The key-value workload's history as it is recorded: one fixed-size record
// per operation (32 bytes), kept per key, with the few strings that cannot be
// derived (what a get read, what a cas expected) in one text pool. The checker
// and the CSV see it as KvOperation values, one key at a time
// (for_each_key), so a run of millions of operations never holds them all in
// that wide form (about 170 bytes each, four strings).
//
// What is derived rather than stored: a key's name is "k" and its index
// (kv_key_name); a write's value is "client.sequence" (kv_written_value), as
// the workload makes it, unique per operation so a read tells which write it
// saw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/checkers/kv_history.hpp"

namespace faultline {

std::string kv_key_name(std::uint32_t key);
std::string kv_written_value(std::uint32_t client, std::uint64_t sequence);
// Appends kv_written_value(client, sequence) to `out`.
void append_written_value(std::string& out, std::uint32_t client, std::uint64_t sequence);

// Strings by number, appended once and never changed. Text 0 is "".
class KvTextPool {
 public:
  using Id = std::uint32_t;
  Id add(std::string_view text);
  std::string_view text(Id id) const {
    return std::string_view(bytes_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }

 private:
  std::string bytes_;
  std::vector<std::uint32_t> starts_{0, 0};  // text id is bytes_[starts_[id], starts_[id + 1])
};

class KvRecord {
 public:
  static constexpr std::uint64_t kMaxSequence = (1u << 29) - 1;

  Time invoked = 0;
  Time completed = KvOperation::kNever;  // as in KvOperation
  std::uint32_t client = 0;
  std::uint32_t key = 0;    // its name is kv_key_name(key)
  KvTextPool::Id text = 0;  // get: the value read; cas: the value it must find

  // `sequence` is the client's request number (a write's value is
  // kv_written_value(client, sequence)); at most kMaxSequence.
  void set(KvOperation::Kind kind, std::uint64_t sequence) {
    packed_ = static_cast<std::uint32_t>(sequence) << 3 | static_cast<std::uint32_t>(kind) << 1 | (packed_ & 1);
  }
  void set_cas_ok(bool ok) { packed_ = (packed_ & ~1u) | (ok ? 1u : 0u); }
  KvOperation::Kind kind() const { return static_cast<KvOperation::Kind>((packed_ >> 1) & 3); }
  std::uint32_t sequence() const { return packed_ >> 3; }
  bool cas_ok() const { return packed_ & 1; }
  bool answered() const { return completed != KvOperation::kNever; }

 private:
  std::uint32_t packed_ = 0;  // sequence << 3 | kind << 1 | cas_ok
};
static_assert(sizeof(KvRecord) == 32);

class KvClientHistory {
 public:
  // Keys below `keys_apart` (at least 1) get a group of their own; beyond,
  // key k shares group k % keys_apart. `expected_operations` is reserved.
  KvClientHistory(std::uint32_t keys_apart, std::size_t expected_operations);

  // Appends an operation invoked now (invocation order within a key); returns where it is.
  struct Place {
    std::uint32_t group = 0;
    std::size_t index = 0;
  };
  Place invoke(const KvRecord& r);
  KvRecord& at(Place p) { return groups_[p.group][p.index]; }
  const KvRecord& at(Place p) const { return groups_[p.group][p.index]; }
  KvTextPool::Id add_text(std::string_view text) { return texts_.add(text); }
  std::string_view text(KvTextPool::Id id) const { return texts_.text(id); }

  // The record in the wide form the checker reads.
  KvOperation operation(const KvRecord& r) const;
  // Every key's operations, keys in name order, each key's in the order
  // recorded (invocation order).
  void for_each_key(const std::function<void(const std::string& key, std::vector<KvOperation>& ops)>& visit) const;
  // The keys present, in name order.
  std::vector<std::uint32_t> keys_in_name_order() const;
  // Calls f(record) for each of `key`'s records, in the order recorded.
  template <class F>
  void for_each_record_of(std::uint32_t key, F&& f) const {
    for (const auto& r : groups_[key % groups_.size()])
      if (r.key == key) f(r);
  }
  template <class F>
  void for_each_record(F&& f) const {
    for (const auto& g : groups_)
      for (const auto& r : g) f(r);
  }

 private:
  std::vector<std::vector<KvRecord>> groups_;
  KvTextPool texts_;
};

// All operations as one history, in invocation order (for the CSV).
KvHistory flatten(const KvClientHistory& history);

}  // namespace faultline

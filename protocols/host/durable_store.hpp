// A node's stable storage, as the protocol sees it.
//
// Model: writes go to a volatile buffer (the page cache); sync() makes every
// earlier write durable. A crash loses unsynced writes; a restarted node reads
// back exactly what was synced. Reads see the latest write, synced or not, as
// a real file system does. Keys are ordered, so iteration is deterministic.
//
// Beside the keys, a record log: an append-only sequence of byte records,
// the shape of a write-ahead log, for data that grows at one end and is cut
// at the other (a replicated log). Records are numbered by position;
// positions [log_begin(), log_end()) are present. Its changes follow the
// same rule as writes: lost by a crash unless a sync came after them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

class DurableStore {
 public:
  virtual ~DurableStore() = default;

  virtual void write(std::string_view key, std::string value) = 0;
  virtual void erase(std::string_view key) = 0;
  // Makes every earlier write and erase durable.
  virtual void sync() = 0;
  virtual std::optional<std::string> read(std::string_view key) const = 0;
  // Calls fn(key, value) for every key in [first, last) in key order.
  template <class Fn>
  void scan(std::string_view first, std::string_view last, Fn&& fn) const {
    std::string cursor(first);
    while (auto kv = next_at_or_after(cursor)) {
      if (!last.empty() && kv->first >= last) break;
      fn(kv->first, kv->second);
      cursor = kv->first;
      cursor.push_back('\0');
    }
  }
  // The first (key, value) with key >= from, if any.
  virtual std::optional<std::pair<std::string, std::string>> next_at_or_after(std::string_view from) const = 0;

  // Appends a record at position log_end().
  virtual void log_append(std::string_view record) = 0;
  // Drops the records at positions >= end (a conflicting suffix). Requires
  // end >= log_begin().
  virtual void log_truncate(std::uint64_t end) = 0;
  // Drops the records before `begin` (a compacted prefix). With begin past
  // log_end(), every record goes and the next append lands at `begin`.
  virtual void log_drop_before(std::uint64_t begin) = 0;
  virtual std::uint64_t log_begin() const = 0;
  virtual std::uint64_t log_end() const = 0;
  // The record at `position`, valid until the next change to the log.
  // Requires log_begin() <= position < log_end().
  virtual std::string_view log_record(std::uint64_t position) const = 0;
};

}  // namespace faultline

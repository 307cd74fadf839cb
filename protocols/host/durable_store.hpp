// A node's stable storage, as the protocol sees it.
//
// Model: writes go to a volatile buffer (the page cache); sync() makes every
// earlier write durable. A crash loses unsynced writes; a restarted node reads
// back exactly what was synced. Reads see the latest write, synced or not, as
// a real file system does. Keys are ordered, so iteration is deterministic.
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
  // Erases every key in [first, last), as one write (for compacting a log).
  virtual void erase_range(std::string_view first, std::string_view last) = 0;
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
};

}  // namespace faultline

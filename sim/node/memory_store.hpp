// The simulator's DurableStore: an ordered map of synced state plus the
// writes since the last sync. A crash discards the unsynced part.
//
// Invariant: durable_ holds exactly what survives a crash; pending_ holds
// writes and erases (nullopt) newer than the last sync, in key order, and
// pending_ranges_ the range erases, all older than any pending_ entry in
// their range. A read sees pending_ first, then the range erases, then durable_.
#pragma once

#include <map>
#include <vector>
#include <optional>
#include <string>

#include "protocols/host/durable_store.hpp"

namespace faultline {

class MemoryStore final : public DurableStore {
 public:
  void write(std::string_view key, std::string value) override;
  void erase(std::string_view key) override;
  void erase_range(std::string_view first, std::string_view last) override;
  void sync() override;
  std::optional<std::string> read(std::string_view key) const override;
  std::optional<std::pair<std::string, std::string>> next_at_or_after(std::string_view from) const override;

  // The node crashed: unsynced writes are lost.
  void crash() {
    pending_.clear();
    pending_ranges_.clear();
  }

  std::uint64_t syncs() const { return syncs_; }
  std::size_t unsynced() const { return pending_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> durable_;
  std::map<std::string, std::optional<std::string>, std::less<>> pending_;
  // Range erases since the last sync, in call order; a pending_ write made
  // after a range erase is kept out of it (erase_range drops pending keys in
  // the range when it is called).
  std::vector<std::pair<std::string, std::string>> pending_ranges_;
  bool range_erased(std::string_view key) const;
  std::uint64_t syncs_ = 0;
};

}  // namespace faultline

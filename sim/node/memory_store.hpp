// The simulator's DurableStore: the current contents, plus an undo journal
// of the writes since the last sync. A crash rolls the journal back, so
// unsynced writes are lost and synced ones survive; a sync forgets it.
//
// Invariant: replaying undo_ in reverse over data_ gives exactly what the
// last sync made durable. Reads see the latest write, synced or not, as a
// real file system does. The record log keeps its own journal
// (memory_record_log.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocols/host/durable_store.hpp"
#include "sim/node/memory_record_log.hpp"

namespace faultline {

class MemoryStore final : public DurableStore {
 public:
  void write(std::string_view key, std::string value) override;
  void erase(std::string_view key) override;
  void sync() override;
  std::optional<std::string> read(std::string_view key) const override;
  std::optional<std::pair<std::string, std::string>> next_at_or_after(std::string_view from) const override;
  void log_append(std::string_view record) override { log_.append(record); }
  void log_truncate(std::uint64_t end) override { log_.truncate(end); }
  void log_drop_before(std::uint64_t begin) override { log_.drop_before(begin); }
  std::uint64_t log_begin() const override { return log_.begin(); }
  std::uint64_t log_end() const override { return log_.end(); }
  std::string_view log_record(std::uint64_t position) const override { return log_.record(position); }

  // The node crashed: unsynced writes are lost.
  void crash();

  std::uint64_t syncs() const { return syncs_; }
  std::size_t unsynced() const { return undo_.size() + log_.unsynced(); }

 private:
  struct Undo {
    std::string key;
    std::optional<std::string> previous;  // nullopt: the key did not exist
  };
  std::map<std::string, std::string, std::less<>> data_;
  std::vector<Undo> undo_;
  MemoryRecordLog log_;
  std::uint64_t syncs_ = 0;
};

}  // namespace faultline

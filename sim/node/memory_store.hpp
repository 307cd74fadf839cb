// The simulator's DurableStore: the current contents, plus an undo journal
// of the writes since the last sync. A crash rolls the journal back, so
// unsynced writes are lost and synced ones survive; a sync forgets it.
//
// A sync can also take time (a disk with latency): begin_sync() marks where
// the journal stood, and complete_sync() (in the order they began) makes
// that prefix durable. Until it completes the sync has not happened: a crash
// rolls back to the last completed one. sync() is a sync that completes at
// once.
//
// Invariant: replaying undo_ in reverse over data_ gives exactly what the
// last completed sync made durable; pending_ holds, oldest first, the
// journal lengths (keys and log) of the syncs begun and not yet completed,
// non-decreasing. Reads see the latest write, synced or not, as a
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

  // A sync with latency begins; it covers every write made so far.
  void begin_sync();
  // The oldest begun sync completes: what it covers is durable.
  void complete_sync();
  std::size_t pending_syncs() const { return pending_.size(); }
  // Whether anything was written since the latest sync began (or, with none
  // outstanding, since the last one completed): a sync now would have
  // something to make durable.
  bool written_since_last_sync() const {
    const std::size_t undo_mark = pending_.empty() ? 0 : pending_.back().undo;
    const std::size_t log_mark = pending_.empty() ? 0 : pending_.back().log_undo;
    return undo_.size() > undo_mark || log_.unsynced() > log_mark;
  }

  // The node crashed: unsynced writes are lost, and so are the writes of
  // syncs begun and not completed.
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
  struct Pending {
    std::size_t undo, log_undo;
  };
  std::vector<Pending> pending_;
  std::uint64_t syncs_ = 0;
};

}  // namespace faultline

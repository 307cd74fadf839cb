#include "sim/node/memory_store.hpp"

#include <stdexcept>

namespace faultline {

void MemoryStore::write(std::string_view key, std::string value) {
  auto it = data_.lower_bound(key);
  if (it != data_.end() && it->first == key) {
    undo_.push_back({it->first, std::move(it->second)});
    it->second = std::move(value);
  } else {
    it = data_.emplace_hint(it, std::string(key), std::move(value));
    undo_.push_back({it->first, std::nullopt});
  }
}

void MemoryStore::erase(std::string_view key) {
  auto it = data_.find(key);
  if (it == data_.end()) return;
  undo_.push_back({it->first, std::move(it->second)});
  data_.erase(it);
}

void MemoryStore::sync() {
  ++syncs_;
  undo_.clear();
  log_.sync();
  pending_.clear();  // everything they covered is durable now
}

void MemoryStore::begin_sync() {
  ++syncs_;
  pending_.push_back({undo_.size(), log_.mark()});
}

void MemoryStore::complete_sync() {
  if (pending_.empty()) throw std::logic_error("MemoryStore: a sync completed that never began");
  const Pending done = pending_.front();
  pending_.erase(pending_.begin());
  undo_.erase(undo_.begin(), undo_.begin() + static_cast<std::ptrdiff_t>(done.undo));
  log_.commit_through(done.log_undo);
  for (auto& p : pending_) {
    p.undo -= done.undo;
    p.log_undo -= done.log_undo;
  }
}

void MemoryStore::crash() {
  pending_.clear();
  for (auto u = undo_.rbegin(); u != undo_.rend(); ++u) {
    if (u->previous) data_.insert_or_assign(std::move(u->key), std::move(*u->previous));
    else data_.erase(u->key);
  }
  undo_.clear();
  log_.crash();
}

std::optional<std::string> MemoryStore::read(std::string_view key) const {
  if (auto it = data_.find(key); it != data_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> MemoryStore::next_at_or_after(std::string_view from) const {
  auto it = data_.lower_bound(from);
  if (it == data_.end()) return std::nullopt;
  return std::make_pair(it->first, it->second);
}

}  // namespace faultline

#include "sim/node/memory_store.hpp"

namespace faultline {

void MemoryStore::write(std::string_view key, std::string value) {
  auto it = pending_.find(key);
  if (it == pending_.end()) pending_.emplace(std::string(key), std::move(value));
  else it->second = std::move(value);
}

void MemoryStore::erase(std::string_view key) {
  auto it = pending_.find(key);
  if (it == pending_.end()) pending_.emplace(std::string(key), std::nullopt);
  else it->second = std::nullopt;
}

void MemoryStore::sync() {
  ++syncs_;
  for (auto& [key, value] : pending_) {
    if (value) durable_.insert_or_assign(key, std::move(*value));
    else durable_.erase(key);
  }
  pending_.clear();
}

std::optional<std::string> MemoryStore::read(std::string_view key) const {
  if (auto p = pending_.find(key); p != pending_.end()) return p->second;
  if (auto d = durable_.find(key); d != durable_.end()) return d->second;
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> MemoryStore::next_at_or_after(std::string_view from) const {
  // Merge the two ordered maps: the smallest key >= from whose latest state
  // is a value (a pending erase hides the durable value).
  auto d = durable_.lower_bound(from);
  auto p = pending_.lower_bound(from);
  while (d != durable_.end() || p != pending_.end()) {
    const bool take_pending = p != pending_.end() && (d == durable_.end() || p->first <= d->first);
    if (take_pending) {
      const bool shadows = d != durable_.end() && d->first == p->first;
      if (p->second) return std::make_pair(p->first, *p->second);
      ++p;
      if (shadows) ++d;
    } else {
      return std::make_pair(d->first, d->second);
    }
  }
  return std::nullopt;
}

}  // namespace faultline

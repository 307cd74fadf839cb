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

void MemoryStore::erase_range(std::string_view first, std::string_view last) {
  pending_.erase(pending_.lower_bound(first), pending_.lower_bound(last));
  pending_ranges_.emplace_back(first, last);
}

bool MemoryStore::range_erased(std::string_view key) const {
  for (const auto& [first, last] : pending_ranges_)
    if (key >= first && key < last) return true;
  return false;
}

void MemoryStore::sync() {
  ++syncs_;
  // Range erases first: every pending write in a range came after it.
  for (const auto& [first, last] : pending_ranges_)
    durable_.erase(durable_.lower_bound(first), durable_.lower_bound(last));
  pending_ranges_.clear();
  while (!pending_.empty()) {
    auto node = pending_.extract(pending_.begin());  // moves the key, no copy
    if (!node.mapped()) {
      durable_.erase(node.key());
      continue;
    }
    auto it = durable_.lower_bound(node.key());
    if (it != durable_.end() && it->first == node.key()) it->second = std::move(*node.mapped());
    else durable_.emplace_hint(it, std::move(node.key()), std::move(*node.mapped()));
  }
}

std::optional<std::string> MemoryStore::read(std::string_view key) const {
  if (auto p = pending_.find(key); p != pending_.end()) return p->second;
  if (range_erased(key)) return std::nullopt;
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
    } else if (range_erased(d->first)) {
      ++d;
    } else {
      return std::make_pair(d->first, d->second);
    }
  }
  return std::nullopt;
}

}  // namespace faultline

#include "protocols/raft/raft_log.hpp"

#include <string>

#include "protocols/kv/kv_codec.hpp"

namespace faultline::raft {

namespace {

// "rl/" and 12 hex digits: fixed width, so key order is index order, and
// 15 characters, short enough for std::string to keep without allocating.
std::string key_of(Index i) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "rl/000000000000";
  for (int d = 14; d >= 3; --d, i >>= 4) key[static_cast<std::size_t>(d)] = kHex[i & 15];
  return key;
}

std::string encode(const Entry& e) {
  std::string out = std::to_string(e.term);
  out += e.noop ? "|n|" : "|c|";
  kv::encode_into(out, e.command());
  return out;
}

Entry decode(const std::string& text) {
  Entry e;
  const auto bar = text.find('|');
  e.term = std::stoull(text.substr(0, bar));
  e.noop = text.compare(bar, 3, "|n|") == 0;
  if (!e.noop)
    if (auto r = kv::decode(text.substr(bar + 3))) e.request = std::make_shared<const kv::Request>(std::move(*r));
  return e;
}

}  // namespace

Index RaftLog::first_index_of(Term term) const {
  for (std::size_t k = 0; k < entries_.size(); ++k)
    if (entries_[k].term == term) return base_index_ + 1 + k;
  return 0;
}

Index RaftLog::last_index_of(Term term) const {
  for (std::size_t k = entries_.size(); k >= 1; --k)
    if (entries_[k - 1].term == term) return base_index_ + k;
  return 0;
}

void RaftLog::append(DurableStore& store, Entry e) {
  entries_.push_back(std::move(e));
  store.write(key_of(last_index()), encode(entries_.back()));
}

void RaftLog::truncate_from(DurableStore& store, Index from) {
  for (Index i = from; i <= last_index(); ++i) store.erase(key_of(i));
  if (from > base_index_ && from <= last_index()) entries_.resize(from - base_index_ - 1);
}

std::vector<Entry> RaftLog::slice(Index from, std::size_t max) const {
  std::vector<Entry> out;
  const Index first = std::max(from, base_index_ + 1);
  if (first > last_index()) return out;
  out.reserve(std::min<std::size_t>(max, last_index() - first + 1));
  for (Index i = first; i <= last_index() && out.size() < max; ++i) out.push_back(at(i));
  return out;
}

void RaftLog::compact_through(DurableStore& store, Index index, Term term) {
  const Index last = last_index();
  if (base_index_ < std::min(index, last)) store.erase_range(key_of(base_index_ + 1), key_of(std::min(index, last) + 1));
  if (index >= last) entries_.clear();
  else entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(index - base_index_));
  base_index_ = index;
  base_term_ = term;
  store.write("raft/log_base", std::to_string(index) + "|" + std::to_string(term));
}

void RaftLog::load(const DurableStore& store) {
  entries_.clear();
  base_index_ = 0;
  base_term_ = 0;
  if (auto base = store.read("raft/log_base")) {
    const auto bar = base->find('|');
    base_index_ = std::stoull(base->substr(0, bar));
    base_term_ = std::stoull(base->substr(bar + 1));
  }
  store.scan(key_of(base_index_ + 1), "rl0", [&](const std::string&, const std::string& value) {
    entries_.push_back(decode(value));
  });
}

}  // namespace faultline::raft

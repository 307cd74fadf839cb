#include "protocols/raft/raft_log.hpp"

#include <string>

#include "protocols/kv/kv_codec.hpp"

namespace faultline::raft {

namespace {

std::string key_of(Index i) {
  std::string digits = std::to_string(i);
  return "raft/log/" + std::string(20 - digits.size(), '0') + digits;
}

std::string encode(const Entry& e) {
  return std::to_string(e.term) + (e.noop ? "|n|" : "|c|") + kv::encode(e.command);
}

Entry decode(const std::string& text) {
  Entry e;
  const auto bar = text.find('|');
  e.term = std::stoull(text.substr(0, bar));
  e.noop = text.compare(bar, 3, "|n|") == 0;
  if (auto r = kv::decode(text.substr(bar + 3))) e.command = *r;
  return e;
}

}  // namespace

Index RaftLog::first_index_of(Term term) const {
  for (Index i = 1; i <= entries_.size(); ++i)
    if (entries_[i - 1].term == term) return i;
  return 0;
}

Index RaftLog::last_index_of(Term term) const {
  for (Index i = entries_.size(); i >= 1; --i)
    if (entries_[i - 1].term == term) return i;
  return 0;
}

void RaftLog::append(DurableStore& store, Entry e) {
  entries_.push_back(std::move(e));
  store.write(key_of(entries_.size()), encode(entries_.back()));
}

void RaftLog::truncate_from(DurableStore& store, Index from) {
  for (Index i = from; i <= entries_.size(); ++i) store.erase(key_of(i));
  if (from >= 1 && from <= entries_.size()) entries_.resize(from - 1);
}

std::vector<Entry> RaftLog::slice(Index from, std::size_t max) const {
  std::vector<Entry> out;
  for (Index i = from; i <= entries_.size() && out.size() < max; ++i) out.push_back(entries_[i - 1]);
  return out;
}

void RaftLog::load(const DurableStore& store) {
  entries_.clear();
  store.scan("raft/log/", "raft/log0", [&](const std::string&, const std::string& value) {
    entries_.push_back(decode(value));
  });
}

}  // namespace faultline::raft

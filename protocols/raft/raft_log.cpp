#include "protocols/raft/raft_log.hpp"

#include <charconv>
#include <stdexcept>
#include <system_error>
#include <string>
#include <string_view>

#include "protocols/kv/kv_codec.hpp"

namespace faultline::raft {

namespace {

// Index i lives at record position i - 1, so compacting through index k
// drops the positions before k.
std::uint64_t position_of(Index i) { return i - 1; }

// "term|n|" for a no-op, "term|c|" and the encoded command otherwise.
void encode_into(std::string& out, const Entry& e) {
  out.clear();
  kv::append_number(out, e.term);  // the digits std::to_string writes, without its temporary
  out += e.noop ? "|n|" : "|c|";
  if (!e.noop) out += e.shared->encoded;
}

Entry decode(std::string_view text) {
  Entry e;
  const auto bar = text.find('|');
  if (bar == std::string_view::npos || std::from_chars(text.data(), text.data() + bar, e.term).ec != std::errc())
    throw std::runtime_error("raft log: a stored entry does not start with its term");
  e.noop = text.substr(bar, 3) == "|n|";
  if (!e.noop) {
    const std::string_view encoded = text.substr(bar + 3);
    if (auto r = kv::decode(encoded))
      e.shared = CommandRef<Command>::make(std::move(*r), std::string(encoded));
  }
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
  encode_into(scratch_, entries_.back());
  store.log_append(scratch_);
}

void RaftLog::truncate_from(DurableStore& store, Index from) {
  if (from <= base_index_ || from > last_index()) return;
  store.log_truncate(position_of(from));
  entries_.resize(from - base_index_ - 1);
  ++rewrites_;
}

EntryList RaftLog::slice(Index from, std::size_t max) const {
  EntryList out;
  const Index first = std::max(from, base_index_ + 1);
  if (first > last_index()) return out;
  out.reserve(std::min<std::size_t>(max, last_index() - first + 1));
  for (Index i = first; i <= last_index() && out.size() < max; ++i) out.push_back(at(i));
  return out;
}

void RaftLog::compact_through(DurableStore& store, Index index, Term term) {
  const Index last = last_index();
  ++rewrites_;
  store.log_drop_before(position_of(index + 1));  // past the end: the log restarts after index
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
  if (store.log_begin() != position_of(base_index_ + 1))
    throw std::runtime_error("raft log: the stored log does not start after the stored base index");
  entries_.reserve(store.log_end() - store.log_begin());
  for (auto p = store.log_begin(); p < store.log_end(); ++p) entries_.push_back(decode(store.log_record(p)));
}

}  // namespace faultline::raft

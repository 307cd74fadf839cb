#include "protocols/raft/raft_log.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
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

// "term|n|" for a no-op, "term|c|" and the encoded command otherwise
// (what Command::record() holds for an entry of its term): written in place
// into `buffer`, which only grows (so a write neither clears nor shrinks
// it), and returned as a view of it.
std::string_view encode_into(std::string& buffer, const Entry& e) {
  const std::string_view command = e.noop ? std::string_view() : e.shared->encoded();
  if (buffer.size() < 24 + 3 + command.size()) buffer.resize(2 * (24 + 3 + command.size()));
  char* const start = buffer.data();
  char* p = std::to_chars(start, start + 24, e.term).ptr;  // the digits std::to_string writes
  std::memcpy(p, e.noop ? "|n|" : "|c|", 3);
  p += 3;
  if (!command.empty()) std::memcpy(p, command.data(), command.size());
  p += command.size();
  return std::string_view(start, static_cast<std::size_t>(p - start));
}

// The entry stored as `text` at `index`; its command from `decoded` when
// the bytes match one noted there (see DecodedCommands), else decoded (and
// noted).
Entry decode(std::string_view text, Index index, DecodedCommands* decoded) {
  Entry e;
  const auto bar = text.find('|');
  if (bar == std::string_view::npos || std::from_chars(text.data(), text.data() + bar, e.term).ec != std::errc())
    throw std::runtime_error("raft log: a stored entry does not start with its term");
  e.noop = text.substr(bar, 3) == "|n|";
  if (!e.noop) {
    const std::string_view encoded = text.substr(bar + 3);
    if (const CommandRef<Command>* known = decoded ? decoded->find(index, text) : nullptr) {
      e.shared = *known;
    } else if (auto r = kv::decode(encoded)) {
      // The record this entry is written as when appended again: "term|c|"
      // with the term's digits as encode_into writes them, then the stored
      // command bytes as they are (the stored text itself when it is that).
      char digits[24];
      const std::string_view term(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, e.term).ptr - digits));
      if (text.substr(0, bar) == term && text.substr(bar, 3) == "|c|") {
        e.shared = CommandRef<Command>::make(std::move(*r), e.term, text, static_cast<std::uint32_t>(bar + 3));
      } else {
        std::string record(term);
        record += "|c|";
        record += encoded;
        e.shared = CommandRef<Command>::make(std::move(*r), e.term, record, static_cast<std::uint32_t>(term.size() + 3));
      }
      if (decoded) decoded->note(index, e.shared);
    }
  }
  return e;
}

}  // namespace

void DecodedCommands::grow(Index index) {
  const std::size_t size = std::min(kMaxSlots, std::max<std::size_t>(64, std::bit_ceil(static_cast<std::size_t>(index) + 1)));
  std::vector<Slot> old(size);
  old.swap(slots_);
  for (Slot& s : old)  // each to its place under the new size; a clash keeps the later index
    if (s.index != 0) {
      Slot& to = slots_[s.index & (size - 1)];
      if (to.index < s.index) to = std::move(s);
    }
}

void DecodedCommands::note_slow(Index index, const CommandRef<Command>& command) {
  if (index >= slots_.size() && slots_.size() < kMaxSlots) grow(index);
  Slot& s = slots_[index & (slots_.size() - 1)];
  if (s.index > index) return;  // a later index keeps its slot (a long log's reload must not evict its own tail)
  s.index = index;
  if (s.command.get() != command.get()) s.command = command;  // a follower's copy shares the leader's: nothing to do
  // The leader notes the indexes in order, each first here: the next one
  // will release the command its slot holds, made kMaxSlots entries ago and
  // cold by then (that release was three quarters of this function's time
  // in the hour of Raft, perf). Both are fetched ahead: the slot after next,
  // and the next slot's command.
  const std::size_t mask = slots_.size() - 1;
  __builtin_prefetch(&slots_[(index + 2) & mask]);
  const CommandRef<Command>& next = slots_[(index + 1) & mask].command;
  if (const char* block = static_cast<const char*>(next.block())) {
    constexpr std::size_t bytes = CommandRef<Command>::block_bytes();
    for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(block + offset);
    __builtin_prefetch(block + bytes - 1);  // the block need not start a cache line
  }
}

const CommandRef<Command>* DecodedCommands::find(Index index, std::string_view record) const {
  if (slots_.empty()) return nullptr;
  const Slot& s = slots_[index & (slots_.size() - 1)];
  if (s.index != index || !s.command || s.command->record() != record) return nullptr;
  return &s.command;
}

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

// Inline in both appends (a call per appended entry saved).
[[gnu::always_inline]] inline void RaftLog::stored_and_noted(DurableStore& store) {
  const Entry& added = entries_.back();
  // The command's record, made once for the entry it was made for, is the
  // same bytes encode_into writes (an entry given another term's command
  // is written here).
  const Command* const command = added.shared.get();
  if (!added.noop && command != nullptr && command->term == added.term) store.log_append(command->record());
  else store.log_append(encode_into(scratch_, added));
  if (decoded_ && !added.noop) decoded_->note(last_index(), added.shared);
}

void RaftLog::append(DurableStore& store, Entry&& e) {
  entries_.push_back(std::move(e));
  stored_and_noted(store);
}

void RaftLog::append(DurableStore& store, const Entry& e) {
  entries_.push_back(e);
  stored_and_noted(store);
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
  const std::size_t n = std::min<std::size_t>(max, last_index() - first + 1);
  out.append_copies(&at(first), n);
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
  for (auto p = store.log_begin(); p < store.log_end(); ++p)
    entries_.push_back(decode(store.log_record(p), p + 1, decoded_));  // index p + 1: see position_of
}

}  // namespace faultline::raft

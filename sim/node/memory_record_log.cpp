#include "sim/node/memory_record_log.hpp"

#include <algorithm>
#include <stdexcept>

namespace faultline {

void MemoryRecordLog::append(std::string_view record) {
  // Room for 64 KiB of records at the first growth, then doubling: a
  // string grown from empty doubles a dozen times on the way there, and
  // each doubling copies every byte so far (a Raft sweep seed's five logs
  // reach about 45 KB each: 0.9% of its instructions went to those copies).
  if (bytes_.capacity() - bytes_.size() < record.size()) [[unlikely]]
    bytes_.reserve(std::max<std::size_t>(kFirstReserve, 2 * bytes_.capacity()));
  bytes_.append(record);
  ends_.push_back(bytes_.size());
  if (undo_.size() > sealed_ && undo_.back().kind == Undo::Kind::kAppends) {
    ++undo_.back().count;
    return;
  }
  // Made in place. push_back(Undo{...}) built the entry
  // on the stack and copied it in with 16-byte loads, each spanning two of
  // the stores that had just built it: store-to-load forwarding failed, and
  // each load waited for every older store to reach the cache, the record
  // bytes and ends_ slot just written included (3.5% of the Speed hour
  // under perf, all of it on that load).
  undo_.emplace_back().count = 1;  // kind: kAppends, Undo's default
}

void MemoryRecordLog::truncate(std::uint64_t end_position) {
  if (end_position >= end()) return;
  if (end_position < begin_) throw std::logic_error("record log: truncating into the dropped prefix");
  const std::size_t k = end_position - first_;
  saved_.push_back(Saved{bytes_.substr(offset_of(k)), {ends_.begin() + static_cast<std::ptrdiff_t>(k), ends_.end()}});
  bytes_.resize(offset_of(k));
  ends_.resize(k);
  undo_.push_back(Undo{Undo::Kind::kTruncate, 0, 0, 0});
}

void MemoryRecordLog::drop_before(std::uint64_t new_begin) {
  if (new_begin <= begin_) return;
  if (new_begin <= end()) {
    undo_.push_back(Undo{Undo::Kind::kDropBefore, begin_, 0, 0});
    begin_ = new_begin;
    return;
  }
  // Past the end: nothing survives, and the next append goes at new_begin.
  Saved old;
  old.bytes.swap(bytes_);
  old.ends.swap(ends_);
  saved_.push_back(std::move(old));
  undo_.push_back(Undo{Undo::Kind::kReset, 0, first_, begin_});
  first_ = begin_ = new_begin;
}

std::string_view MemoryRecordLog::record(std::uint64_t position) const {
  if (position < begin_ || position >= end()) throw std::out_of_range("record log: no record at that position");
  const std::size_t k = position - first_;
  return std::string_view(bytes_).substr(offset_of(k), ends_[k] - offset_of(k));
}

std::size_t MemoryRecordLog::mark() {
  sealed_ = undo_.size();
  return sealed_;
}

std::size_t MemoryRecordLog::saved_before(std::size_t undo_entries) const {
  std::size_t n = 0;
  for (std::size_t k = 0; k < undo_entries; ++k)
    n += undo_[k].kind == Undo::Kind::kTruncate || undo_[k].kind == Undo::Kind::kReset;
  return n;
}

void MemoryRecordLog::commit_through(std::size_t marked) {
  saved_.erase(saved_.begin(), saved_.begin() + static_cast<std::ptrdiff_t>(saved_before(marked)));
  undo_.erase(undo_.begin(), undo_.begin() + static_cast<std::ptrdiff_t>(marked));
  sealed_ -= marked;
  if (undo_.empty() && reclaim_due()) reclaim_dropped_prefix();
}

// Moves the live records to the front once the dropped ones are the larger
// part, so the cost is amortized over the records dropped.
void MemoryRecordLog::reclaim_dropped_prefix() {
  if (!reclaim_due()) return;
  const std::size_t dropped = begin_ - first_;
  const std::uint64_t cut = offset_of(dropped);
  bytes_.erase(0, cut);
  ends_.erase(ends_.begin(), ends_.begin() + static_cast<std::ptrdiff_t>(dropped));
  for (auto& e : ends_) e -= cut;
  first_ = begin_;
}

void MemoryRecordLog::crash() {
  auto saved = saved_.rbegin();  // the Saved of the latest kTruncate or kReset not yet undone
  for (auto u = undo_.rbegin(); u != undo_.rend(); ++u) {
    switch (u->kind) {
      case Undo::Kind::kAppends:
        ends_.resize(ends_.size() - u->count);
        bytes_.resize(offset_of(ends_.size()));
        break;
      case Undo::Kind::kTruncate:  // later changes are undone: the buffer ends where the cut was
        bytes_.append(saved->bytes);
        ends_.insert(ends_.end(), saved->ends.begin(), saved->ends.end());
        ++saved;
        break;
      case Undo::Kind::kDropBefore:
        begin_ = u->count;
        break;
      case Undo::Kind::kReset:
        bytes_.swap(saved->bytes);
        ends_.swap(saved->ends);
        ++saved;
        first_ = u->first;
        begin_ = u->begin;
        break;
    }
  }
  undo_.clear();
  saved_.clear();
  sealed_ = 0;
}

}  // namespace faultline

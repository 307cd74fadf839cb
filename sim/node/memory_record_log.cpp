#include "sim/node/memory_record_log.hpp"

#include <stdexcept>

namespace faultline {

void MemoryRecordLog::append(std::string_view record) {
  bytes_.append(record);
  ends_.push_back(bytes_.size());
  if (undo_.size() > sealed_ && undo_.back().kind == Undo::Kind::kAppends) ++undo_.back().count;
  else undo_.push_back(Undo{Undo::Kind::kAppends, 1, {}, {}, 0, 0});
}

void MemoryRecordLog::truncate(std::uint64_t end_position) {
  if (end_position >= end()) return;
  if (end_position < begin_) throw std::logic_error("record log: truncating into the dropped prefix");
  const std::size_t k = end_position - first_;
  Undo u{Undo::Kind::kTruncate, 0, bytes_.substr(offset_of(k)), {ends_.begin() + static_cast<std::ptrdiff_t>(k), ends_.end()}, 0, 0};
  bytes_.resize(offset_of(k));
  ends_.resize(k);
  undo_.push_back(std::move(u));
}

void MemoryRecordLog::drop_before(std::uint64_t new_begin) {
  if (new_begin <= begin_) return;
  if (new_begin <= end()) {
    undo_.push_back(Undo{Undo::Kind::kDropBefore, begin_, {}, {}, 0, 0});
    begin_ = new_begin;
    return;
  }
  // Past the end: nothing survives, and the next append goes at new_begin.
  Undo u{Undo::Kind::kReset, 0, {}, {}, first_, begin_};
  u.bytes.swap(bytes_);
  u.ends.swap(ends_);
  undo_.push_back(std::move(u));
  first_ = begin_ = new_begin;
}

std::string_view MemoryRecordLog::record(std::uint64_t position) const {
  if (position < begin_ || position >= end()) throw std::out_of_range("record log: no record at that position");
  const std::size_t k = position - first_;
  return std::string_view(bytes_).substr(offset_of(k), ends_[k] - offset_of(k));
}

void MemoryRecordLog::sync() {
  undo_.clear();
  sealed_ = 0;
  reclaim_dropped_prefix();
}

std::size_t MemoryRecordLog::mark() {
  sealed_ = undo_.size();
  return sealed_;
}

void MemoryRecordLog::commit_through(std::size_t marked) {
  undo_.erase(undo_.begin(), undo_.begin() + static_cast<std::ptrdiff_t>(marked));
  sealed_ -= marked;
  if (undo_.empty()) reclaim_dropped_prefix();
}

// Moves the live records to the front once the dropped ones are the larger
// part, so the cost is amortized over the records dropped.
void MemoryRecordLog::reclaim_dropped_prefix() {
  const std::size_t dropped = begin_ - first_;
  if (dropped < 64 || dropped < ends_.size() / 2) return;
  const std::uint64_t cut = offset_of(dropped);
  bytes_.erase(0, cut);
  ends_.erase(ends_.begin(), ends_.begin() + static_cast<std::ptrdiff_t>(dropped));
  for (auto& e : ends_) e -= cut;
  first_ = begin_;
}

void MemoryRecordLog::crash() {
  for (auto u = undo_.rbegin(); u != undo_.rend(); ++u) {
    switch (u->kind) {
      case Undo::Kind::kAppends:
        ends_.resize(ends_.size() - u->count);
        bytes_.resize(offset_of(ends_.size()));
        break;
      case Undo::Kind::kTruncate:  // later changes are undone: the buffer ends where the cut was
        bytes_.append(u->bytes);
        ends_.insert(ends_.end(), u->ends.begin(), u->ends.end());
        break;
      case Undo::Kind::kDropBefore:
        begin_ = u->count;
        break;
      case Undo::Kind::kReset:
        bytes_.swap(u->bytes);
        ends_.swap(u->ends);
        first_ = u->first;
        begin_ = u->begin;
        break;
    }
  }
  undo_.clear();
  sealed_ = 0;
}

}  // namespace faultline

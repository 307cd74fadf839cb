#include "protocols/raft/binding/committed_log.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace faultline {

void CommittedLog::committed(const raft::RaftStateView& log, raft::Index commit_index) {
  // A snapshot's base carries its term; the entries it compacted do not.
  for (raft::Index i = terms_.size() + 1; i <= commit_index; ++i) {
    terms_.push_back(narrow_term(log.term_at(i)));
    if (terms_.back() == 0) unknown_.insert(i);
  }
}

void CommittedLog::learn_terms(const raft::RaftStateView& log, raft::Index commit_index) {
  ++epoch_;
  for (auto it = unknown_.begin(); it != unknown_.end() && *it <= commit_index;) {
    if (*it > log.log_base_index()) terms_[*it - 1] = narrow_term(log.term_at(*it));
    // Learned, or compacted by a server that committed it: then any server
    // still missing it gets a snapshot that covers it.
    it = unknown_.erase(it);
  }
}

std::uint32_t CommittedLog::narrow_term(raft::Term term) {
  if (term > std::numeric_limits<std::uint32_t>::max())
    throw std::overflow_error(fmt::format("committed log: term {} does not fit the 32 bits it keeps per entry", term));
  return static_cast<std::uint32_t>(term);
}

void CommittedLog::acknowledge(NodeId node, raft::Index index) {
  index = std::min(index, commit_index());
  while (index > 0 && terms_[index - 1] == 0) --index;  // only what can be confirmed
  acked_[node] = std::max(acked_[node], index);
  held_[node] = std::max(held_[node], index);
}

bool CommittedLog::holds(const raft::RaftStateView& log, raft::Index base, raft::Index i) const {
  if (i <= base) return true;  // compacted into the snapshot: kept
  const raft::Term t = terms_[i - 1];  // a log's term above 32 bits differs from every committed one
  return t != 0 && log.term_at(i) == t;  // a term not known yet confirms nothing
}

std::optional<SafetyViolation> CommittedLog::check_log(NodeId node, const raft::RaftStateView& log,
                                                       const raft::ViewSummary& now) {
  raft::Index& held = held_[node];
  Verified& verified = verified_[node];
  // Confirmed at the last check, and no entry of its log removed or
  // replaced since: still held (appends leave the entries before them).
  const bool confirmed = verified.held == held && now.log_rewrites != raft::ViewSummary::kNotCounted &&
                         verified.log_rewrites == now.log_rewrites;
  if (held != 0 && !confirmed && !holds(log, now.log_base_index, held)) {
    const raft::Index lost = held;
    held = 0;
    verified = Verified{};
    ++epoch_;
    const std::string state = now.log_last_index < lost
                                  ? fmt::format("its log now ends at index {}", now.log_last_index)
                                  : fmt::format("its log now has term {} there", log.term_at(lost));
    const char* how = lost <= acked_[node] ? "acknowledged (a leader counted it toward the commit)" : "held";
    return SafetyViolation{"committed_entry_kept", fmt::format("{} the committed entry at index {} (term {}), and lost it: {}",
                                                               how, lost, terms_[lost - 1], state)};
  }
  // The highest committed index it holds: holding is true up to some index
  // and false above (Log Matching), so bisect between what it held and the
  // end of what is both committed and in its log.
  raft::Index lo = held, hi = std::min(commit_index(), now.log_last_index);
  if (hi > lo && holds(log, now.log_base_index, hi)) lo = hi;
  while (hi > lo) {
    const raft::Index mid = lo + (hi - lo + 1) / 2;
    if (holds(log, now.log_base_index, mid)) lo = mid;
    else hi = mid - 1;
  }
  held = lo;
  verified = Verified{held, now.log_rewrites};
  return std::nullopt;
}

}  // namespace faultline

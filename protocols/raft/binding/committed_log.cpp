#include "protocols/raft/binding/committed_log.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace faultline {

void CommittedLog::learn_terms(const raft::RaftStateView& log, raft::Index commit_index) {
  ++epoch_;
  for (auto it = unknown_.begin(); it != unknown_.end() && *it <= commit_index;) {
    if (*it > log.log_base_index()) terms_[*it - 1] = narrow_term(log.term_at(*it));
    // Learned, or compacted by a server that committed it: then any server
    // still missing it gets a snapshot that covers it.
    it = unknown_.erase(it);
  }
}

void CommittedLog::throw_term_too_wide(raft::Term term) {
  throw std::overflow_error(fmt::format("committed log: term {} does not fit the 32 bits it keeps per entry", term));
}

void CommittedLog::acknowledge(NodeId node, raft::Index index) {
  index = std::min(index, commit_index());
  while (index > 0 && terms_[index - 1] == 0) --index;  // only what can be confirmed
  acked_[node] = std::max(acked_[node], index);
  held_[node] = std::max(held_[node], index);
}

raft::Index CommittedLog::first_committed_after(raft::Term term) const {
  const auto after = std::upper_bound(commit_terms_.begin(), commit_terms_.end(), term,
                                      [](raft::Term t, const CommitTerm& run) { return t < run.term; });
  return after->first;
}

SafetyViolation CommittedLog::lost(NodeId node, raft::Index last, raft::Term term_there) {
  raft::Index& held = held_[node];
  const raft::Index lost = held;
  held = 0;
  verified_[node] = Verified{};
  ++epoch_;
  const std::string state = last < lost ? fmt::format("its log now ends at index {}", last)
                                        : fmt::format("its log now has term {} there", term_there);
  const char* how = lost <= acked_[node] ? "acknowledged (a leader counted it toward the commit)" : "held";
  return SafetyViolation{"committed_entry_kept", fmt::format("{} the committed entry at index {} (term {}), and lost it: {}",
                                                             how, lost, terms_[lost - 1], state)};
}

}  // namespace faultline

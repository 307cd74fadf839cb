// ReadIndex (thesis 6.4): linearizable reads without a log entry.
//
// 1. The leader takes a read only once it has committed an entry of its own
//    term (its no-op, section 8): before that its commit index may be behind
//    what an earlier leader committed. Until then the read goes through the
//    log instead.
// 2. The read index is the commit index when the read arrives.
// 3. The next round of AppendEntries (sent after the read arrived) must be
//    answered by a majority in this term: then no other leader could have
//    committed anything newer when the read arrived.
// 4. Once the state machine has applied the read index, the read is answered
//    from it.
#include "protocols/raft/raft_node.hpp"

namespace faultline::raft {

bool RaftNode::accept_read(HostT& host, ClientId client, const kv::Request& r) {
  if (log_.term_at(commit_index_) != term_) return false;  // step 1: not yet; the log will do
  pending_reads_.push_back(PendingRead{client, r.sequence, r.key, commit_index_, round_ + 1});
  send_now_or_with_batch(host);  // the round leaves with the next AppendEntries
  serve_confirmed_reads(host);    // a cluster of one confirms itself
  return true;
}

void RaftNode::serve_confirmed_reads(HostT& host) {
  while (!pending_reads_.empty()) {
    const PendingRead& read = pending_reads_.front();
    const bool confirmed = params_->mutant == Mutant::kReadWithoutConfirmation ||
                           quorum([&](NodeId i) { return i == self_ || acked_round_[i] >= read.round; });
    if (!confirmed) return;
    if (last_applied_ < read.read_index) return;
    host.reply(read.client,
               kv::Reply{read.client, read.sequence, kv::Reply::Status::kOk, kNoNode, store_.read(read.key), false});
    pending_reads_.pop_front();
  }
}

void RaftNode::drop_pending_reads(HostT& host, NodeId leader_hint) {
  for (const PendingRead& read : pending_reads_)
    host.reply(read.client, kv::Reply{read.client, read.sequence, kv::Reply::Status::kNotLeader, leader_hint, {}, false});
  pending_reads_.clear();
}

}  // namespace faultline::raft

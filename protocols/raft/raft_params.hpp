// Raft's parameters (Ongaro & Ousterhout 2014; Ongaro's thesis), and the
// known bugs a test can switch on one at a time to prove the checkers.
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline::raft {

enum class Mutant : std::uint8_t {
  kNone,
  kFigure8,                // commit an entry of an earlier term by counting replicas, with no no-op
                           // at the start of a term (paper Figure 8)
  kNoElectionRestriction,  // vote for any candidate, whatever its log (breaks section 5.4.1)
  kUpToDateIndexOnly,      // "at least as up to date" compares only the last index, not (last term, last index)
  kVoteNotPersisted,       // term and vote live only in memory: a restarted node can vote twice in a term
  kAckBeforeSync,          // acknowledge AppendEntries before the entries are synced
  kCommitWithoutQuorum,    // on any acknowledgement a leader commits all it holds, majority or not
  kSkipConsistencyCheck,   // a follower appends AppendEntries without checking its previous entry (5.3)
  kConfigBeforeTermCommit, // a leader appends a membership change before it has committed an entry
                           // of its own term (the single-server change bug, Ongaro 2015)
  kReadWithoutConfirmation, // with read_index: a leader answers a read from its state machine at once,
                           // without a majority confirming it still leads (a deposed leader reads stale data)
  kTruncateWithoutConflict, // a follower drops every entry after prevLogIndex before appending, conflict or
                           // not (Figure 2 deletes only on a conflict): a stale AppendEntries arriving after
                           // a newer one cuts entries the newer one brought, committed ones included
};

struct Params {
  // Servers 0 .. initial_members-1 form the first configuration (0: every
  // node); the others wait, passive, until a configuration adds them.
  std::uint32_t initial_members = 0;
  Duration election_timeout_min = 150 * kMillisecond;
  Duration election_timeout_max = 300 * kMillisecond;
  Duration heartbeat_interval = 50 * kMillisecond;
  std::uint32_t max_entries_per_append = 64;
  // 0: each client request is synced and sent at once. Above 0: requests
  // arriving within this delay are synced and sent together (batching).
  Duration append_batch_delay = 0;
  // Thesis chapter 5: snapshot the state machine and compact the log once
  // this many applied entries sit in the log (0: never).
  std::uint64_t snapshot_threshold = 10'000;
  bool pre_vote = false;     // thesis 9.6: ask before disrupting
  bool check_quorum = false; // thesis 9.6: a leader that cannot hear a majority steps down
  // Thesis 6.4 (ReadIndex): the leader answers a read from its state machine
  // once a majority has confirmed it still leads, instead of through the log.
  bool read_index = false;
  // Flow control after a refusal, as etcd-io/raft's probe state, libraft's
  // probe mode and hashicorp/raft's (Consul's Raft) return from pipelining
  // to one AppendEntries at a time: a leader ignores a refusal of an
  // AppendEntries older than what the follower has since acknowledged, and
  // after a refusal it backs up and sends the follower one AppendEntries
  // (the probe) and nothing more, bar a heartbeat that resends it, until
  // the follower answers it. On links that reorder, most refusals are of
  // messages overtaken by newer ones; this turns their resends off, at the
  // price of a follower waiting for its probe's answer. Off (false): every
  // refusal backs up and resends from there at once while newer entries
  // keep going out behind it, as no production Raft the project cites does;
  // it was the default until 4 Dec 2026 and stays for comparison.
  bool probe_after_refusal = true;
  // Figure 2 ("repeat during idle periods to prevent election timeouts"),
  // as LogCabin and libraft send heartbeats: the heartbeat timer skips a
  // follower that was sent an AppendEntries within the interval and has
  // nothing unsent (libraft's progressShouldReplicate: a follower that
  // max_entries_per_append left behind still gets its next entries), and
  // fires again when the next one comes due. Off (false, the default):
  // every follower gets one every interval, busy or not, as etcd-io/raft's
  // MsgHeartbeat does.
  bool idle_heartbeats = false;
  Mutant mutant = Mutant::kNone;
};

}  // namespace faultline::raft

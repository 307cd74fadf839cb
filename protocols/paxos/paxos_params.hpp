// Parameters of Basic (single-decree) Paxos and Multi-Paxos, and the known
// bugs a test can switch on one at a time to prove the checkers.
#pragma once

#include <cstdint>

#include "protocols/host/time.hpp"

namespace faultline::paxos {

enum class Mutant : std::uint8_t {
  kNone,
  kAcceptBelowPromise,      // an acceptor accepts a proposal numbered below its promise
  kIgnoreAcceptedValues,    // a proposer ignores the values phase-1 replies report and proposes its own
  kAcceptorNotPersisted,    // the acceptor's promise and accepted value live only in memory
  kNoopFillWithoutCollect,  // a new Multi-Paxos leader fills slots it does not hold with no-ops
                            // without first collecting what a majority accepted there
  kForgetOnPromise,         // a Multi-Paxos acceptor that promises a new ballot reports what it
                            // accepted, then discards every slot it does not know to be chosen,
                            // trusting the new leader to propose it again
};

// Single-decree Paxos: nodes 0..proposers-1 each propose their own value
// (node i proposes i + 1) at a random time in [0, start_spread].
struct BasicParams {
  NodeId proposers = 2;
  Duration start_spread = 0;
  Duration retry_timeout = 100 * kMillisecond;  // a phase with no majority by then starts over
  Duration backoff_min = 10 * kMillisecond;     // after a rejection, wait a random time in
  Duration backoff_max = 50 * kMillisecond;     // [backoff_min, backoff_max] before retrying
  Mutant mutant = Mutant::kNone;
};

struct MultiParams {
  Duration election_timeout_min = 150 * kMillisecond;
  Duration election_timeout_max = 300 * kMillisecond;
  Duration heartbeat_interval = 50 * kMillisecond;
  std::uint32_t max_entries_per_accept = 64;
  Mutant mutant = Mutant::kNone;
};

}  // namespace faultline::paxos

// Parameters of gossip dissemination (Demers et al. 1987, "Epidemic
// algorithms for replicated database maintenance"), every rule an option.
#pragma once

#include <cstdint>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline::gossip {

enum class Exchange : std::uint8_t {
  kPush,      // A sends what it has; B keeps what is newer (1 message)
  kPull,      // A sends its versions; B answers with what it has newer (2 messages)
  kPushPull,  // A sends what it has; B keeps what is newer and answers with what A lacks (2 messages, 3 in Demers' count)
};

enum class Spread : std::uint8_t {
  kAntiEntropy,     // SI: a node spreads what it has for ever (full consistency, unbounded traffic)
  kRumorMongering,  // SIR: a node stops spreading an update once "removed" (bounded traffic, some residue)
};

// When a rumor-mongering node loses interest in an update (Demers 1.4).
// A contact is unnecessary when its receiver already had the update (with
// synchronous_rounds: had it before the current cycle began).
enum class Removal : std::uint8_t {
  kFeedbackCounter,  // removed after `removal_k` unnecessary contacts in a row: a necessary contact resets the
                     // count (Demers 1.4: "each unnecessary message was sent by a site that, within the last k
                     // cycles, sent a necessary message, or newly discovered the update")
  kFeedbackCoin,     // removed with probability 1/removal_k on each unnecessary contact
  kBlindCounter,     // removed after `removal_k` rounds of spreading it, whatever the contacts said
  kBlindCoin,        // removed with probability 1/removal_k after each round
};

// "At `at`, node `node` learns version `version` of key `key`."
struct Injection {
  Time at = 0;
  NodeId node = 0;
  std::uint16_t key = 0;
  std::uint32_t version = 1;
};

// Known bugs a test can switch on (`params.mutant=...`) to prove the
// "every node informed" liveness bound and the version checkers.
enum class Mutant : std::uint8_t {
  kNone,
  kForwardOnce,      // push: a node forwards an update only in the push when it learns it, never in a later
                     // round (spreading stops after one round per node, the anti-entropy that repairs losses,
                     // partitions and restarts never runs)
  kLastArrivalWins,  // a node takes any other version of a key handed to it, older ones too (learn compares
                     // versions for difference, not order): version_monotonic. Pull, push-pull and push with
                     // feedback hand every item to learn; push without feedback filters news first.
  kBumpOnReply,      // a pull or push-pull reply carries each version plus one (a hop count taken for the
                     // version): nodes come to hold versions nobody wrote, version_was_written
};

struct DisseminationParams {
  Exchange exchange = Exchange::kPush;
  Spread spread = Spread::kAntiEntropy;
  Removal removal = Removal::kFeedbackCounter;
  std::uint32_t removal_k = 2;
  Duration period = 1 * kSecond;  // one round
  std::uint32_t fanout = 3;
  bool push_on_learn = true;      // push at once when a node learns something, not only on its next round
  bool no_send_back = false;      // never gossip an update back to the node it came from
  // Demers' simulations run in synchronous cycles: every node's rounds start
  // at the multiples of `period`, and a push counts as unnecessary only if
  // its receiver held the update before the current cycle began (two pushes
  // that reach a node in the cycle it learns are both necessary).
  bool synchronous_rounds = false;
  std::uint32_t value_bytes = 64; // payload size per (key, value, version), for byte accounting
  std::vector<Injection> injections = {Injection{}};
  Mutant mutant = Mutant::kNone;
};

}  // namespace faultline::gossip

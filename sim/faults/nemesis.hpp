// The random nemesis: turns NemesisSpecs into a stream of faults drawn from
// their rates, with its own random stream (Stream::kNemesis).
//
// The simulation owns time. It asks for the first wake-ups, and each time a
// wake-up is due it calls fire(), applies the returned actions in order and
// schedules the returned wake-ups. A fault and its undo are separate wake-ups:
// "crash a random running node every 2-5 s and restart it 1 s later".
#pragma once

#include <cstdint>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/node/node_status.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

struct NemesisAction {
  enum class Kind { kCrash, kRestart, kPause, kResume, kPartition, kIsolate, kHeal };
  Kind kind;
  NodeId node = kNoNode;         // crash, restart, pause, resume, isolate
  std::vector<NodeId> minority;  // partition: this side against the rest
  // crash, pause, isolate of a `target: leader` nemesis: `node` was hit
  // because it led at that moment (RunOptions::nemesis_record keeps it, so
  // `faultline shrink` can write the fault against `leader`, not the name).
  bool at_leader = false;
};

struct NemesisWakeup {
  Time at;
  std::uint32_t token;
};

class Nemesis {
 public:
  Nemesis(const std::vector<NemesisSpec>& specs, NodeId nodes, Time run_end, std::uint64_t seed);

  std::vector<NemesisWakeup> first_wakeups();
  // `status` is every node's state now; `leader` the protocol's current
  // leader (kNoNode: none, or no such notion). Appends to `actions` and
  // `wakeups`.
  void fire(std::uint32_t token, Time now, const std::vector<NodeStatus>& status, NodeId leader,
            std::vector<NemesisAction>& actions, std::vector<NemesisWakeup>& wakeups);

 private:
  struct Token {
    std::size_t spec;
    bool recovery;
    NodeId node;  // the node to restart / resume, for recoveries
  };
  std::uint32_t new_token(Token t);
  Duration draw(Duration lo, Duration hi) { return rng_.between(lo, hi); }
  Time stop_of(const NemesisSpec& s) const { return s.stop ? *s.stop : run_end_; }

  const std::vector<NemesisSpec>& specs_;
  NodeId nodes_;
  Time run_end_;
  Rng rng_;
  std::vector<Token> tokens_;
  std::vector<std::uint32_t> down_;  // per spec: nodes it holds down now
};

}  // namespace faultline

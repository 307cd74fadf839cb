// Swarm testing (`faultline swarm`): every seed also draws the run's knobs —
// which nemesis kinds are on and how often they strike, the protocol's
// timeouts, latency, loss, duplication, reordering, the client load — from
// declared ranges, so one scenario explores many mixes of faults and timings
// instead of one hand-tuned mix (Groce et al. 2012, "Swarm testing").
//
// The draws are plain `--set` overrides: a failing seed is an ordinary
// scenario plus seed plus those overrides, replayed with `faultline run`.
// After the fault phase every nemesis heals and a liveness phase checks the
// protocol still makes progress (an expectation marked `liveness: true`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/host/swarm_range.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

// A knob with its range: the protocol's declared params (binding.swarm_ranges)
// followed by the simulator's network, workload and nemesis knobs, whose
// ranges scale with the scenario's duration. Names are owned here (the
// nemesis knobs are built per scenario).
struct SwarmKnob {
  std::string name;
  SwarmRange::Kind kind = SwarmRange::Kind::kInteger;
  std::int64_t lo = 0, hi = 0;
  std::int64_t min_width_percent = 0;  // kDurationRange: b - a >= a * this / 100 (SwarmRange)
};

// Every knob swarm mode draws for `scenario` (before its `swarm:` narrowing).
std::vector<SwarmKnob> swarm_knobs(const Scenario& scenario, const ProtocolBinding& binding);

// The fault phase ends at 3/4 of the run; every nemesis stops injecting
// there, and what it injected last heals by then plus its longest recovery.
Time swarm_fault_phase_end(const Scenario& scenario);

// The overrides seed `seed` draws for `scenario` (which must carry its
// `swarm:` narrowing), in a fixed order: the protocol's params, network,
// workload, then `nemesis` as one list and `expect` as the liveness bound
// alone (a scenario's own `expect` bounds were tuned for its own knobs).
// Each knob draws from its own stream, derive_seed(seed, Stream::kSwarm,
// hash of its name): narrowing or switching off one knob changes no other draw.
std::vector<Override> draw_swarm_overrides(const Scenario& scenario, const ProtocolBinding& binding,
                                           std::uint64_t seed);

// The knob's value as override text ("150ms", "120ms..480ms", "3", "0.012", "true").
std::string swarm_value_text(const SwarmKnob& knob, std::int64_t a, std::int64_t b = 0);

}  // namespace faultline

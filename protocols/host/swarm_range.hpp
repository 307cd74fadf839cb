// One knob swarm testing draws afresh for every seed (`faultline swarm`,
// sim/run/swarm.hpp): plain data a protocol declares next to its parameters,
// which the simulator reads. Protocols never see the draws: a drawn value
// reaches them as an ordinary `--set` override of their `params`.
#pragma once

#include <cstdint>
#include <string_view>

namespace faultline {

struct SwarmRange {
  enum class Kind {
    kDuration,       // one duration in [lo, hi] ns, drawn in whole milliseconds
    kDurationRange,  // "a..b" with lo <= a <= b <= hi ns, in whole milliseconds
    kInteger,        // one integer in [lo, hi]
    kPermille,       // a probability in [lo, hi] thousandths, e.g. 0.012
    kFlag,           // true or false, even odds (pinned with lo == hi: 0 false, 1 true)
  };
  std::string_view name;  // the dotted --set path it is applied to, e.g. "params.heartbeat_interval"
  Kind kind = Kind::kInteger;
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  // kDurationRange only: the drawn b - a is at least this percentage of a
  // (100: b >= 2a), as far as [lo, hi] allows. Randomized timeouts need a
  // spread, not only a value (Raft 5.2: "spread out the servers so that in
  // most cases only a single server will time out"); a 212ms..214ms draw
  // fires five timers within 2 ms of each other and split votes livelock.
  std::int64_t min_width_percent = 0;
};

}  // namespace faultline

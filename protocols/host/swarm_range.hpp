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
};

}  // namespace faultline

#include "sim/bench/hold_benchmark.hpp"

#include <chrono>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/engine/event_code.hpp"
#include "sim/engine/event_queue.hpp"

namespace faultline {

HoldResult run_hold(std::uint64_t pending, std::uint64_t events, std::uint64_t seed) {
  Rng rng(derive_seed(seed, Stream::kBench));
  EventQueue queue;
  queue.reserve(pending);
  std::vector<std::uint32_t> fired(pending, 0);  // per-timer state the handler touches
  for (std::uint64_t i = 0; i < pending; ++i)
    queue.push(static_cast<Time>(rng.below(kSecond)), EventCode::make(EventKind::kTimer, i));

  std::uint64_t checksum = 0;
  const auto started = std::chrono::steady_clock::now();
  for (std::uint64_t n = 0; n < events; ++n) {
    const Event e = queue.pop();
    const std::uint64_t id = EventCode::index(e.payload);
    ++fired[id];
    checksum += e.payload ^ static_cast<std::uint64_t>(e.time);
    queue.push(e.time + static_cast<Time>(rng.below(kSecond)), e.payload);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {pending, events, seconds, static_cast<double>(events) / seconds, checksum + fired[0]};
}

}  // namespace faultline

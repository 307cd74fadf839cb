// A sweep's seeds run one after another on a worker thread, each reusing the
// memory the one before freed (keep_freed_memory.hpp: the allocator keeps it
// for the next seed). Nothing of a seed may reach the next: each seed's trace
// hash and events are those of the same seed run on its own, in another
// order, at one job or two.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/sweep.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;

TEST_CASE("sweep seeds reusing memory give the hashes of the same seeds run alone") {
  const Scenario s = test::raft_scenario("leader_crash.yaml", {"duration=4s", "expect=[]"});
  const ProtocolBinding& raft = *find_protocol("raft");
  constexpr std::uint64_t kSeeds = 8;
  // Alone, last seed first, so no seed runs after the one it follows in the sweep.
  std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> alone;
  for (std::uint64_t seed = kSeeds; seed >= 1; --seed) {
    RunOptions o;
    o.seed = seed;
    const RunResult r = raft.run(s, o);
    alone[seed] = {r.trace_hash, r.events};
  }
  for (unsigned jobs : {1u, 2u}) {
    const SweepResult swept = run_sweep(s, raft, 1, kSeeds, jobs, nullptr, {});
    REQUIRE(swept.runs.size() == kSeeds);
    for (const RunResult& r : swept.runs) {
      CAPTURE(jobs);
      CAPTURE(r.seed);
      CHECK(r.trace_hash == alone.at(r.seed).first);
      CHECK(r.events == alone.at(r.seed).second);
    }
  }
  // The seeds are different runs (the check above compares something).
  CHECK(alone.at(1).first != alone.at(2).first);
}

// run_sweep's stop: a stop requested by a run (swarm --until-failure) or by a
// signal ends the sweep with exactly the seeds that were started, each one
// recorded, whichever seed asks and however many are still to hand out.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stop_token>
#include <thread>

#include "sim/run/sweep.hpp"

using namespace faultline;

namespace {

// The sweep on its own thread, so a sweep that never returns fails this test
// (after a watchdog far longer than any correct sweep here) instead of hanging
// the suite.
SweepResult sweep_or_fail(std::uint64_t last, unsigned jobs, std::uint64_t stopping_seed) {
  auto done = std::make_shared<std::promise<SweepResult>>();
  auto result = done->get_future();
  std::thread([done, last, jobs, stopping_seed] {
    std::stop_source stop;
    const SeedRun run = [&](std::uint64_t seed, unsigned) {
      RunResult r;
      r.seed = seed;
      if (seed == stopping_seed) stop.request_stop();
      return r;
    };
    done->set_value(run_sweep(1, last, jobs, run, {}, stop.get_token()));
  }).detach();
  const bool returned = result.wait_for(std::chrono::seconds(120)) == std::future_status::ready;
  REQUIRE_MESSAGE(returned, "run_sweep did not return after a stop");
  return result.get();
}

}  // namespace

TEST_CASE("run_sweep: a stop asked for by any seed ends the sweep, every started seed recorded") {
  for (std::uint64_t last = 1; last <= 5; ++last) {
    for (unsigned jobs = 1; jobs <= 3; ++jobs) {
      for (std::uint64_t stopping = 1; stopping <= last; ++stopping) {
        CAPTURE(last);
        CAPTURE(jobs);
        CAPTURE(stopping);
        const SweepResult r = sweep_or_fail(last, jobs, stopping);
        // The started seeds are a prefix that includes the one that asked;
        // with one job nothing after it starts.
        REQUIRE(r.runs.size() >= stopping);
        REQUIRE(r.runs.size() <= last);
        if (jobs == 1) CHECK(r.runs.size() == stopping);
        for (std::size_t i = 0; i < r.runs.size(); ++i) CHECK(r.runs[i].seed == i + 1);
        CHECK(r.stopped == (r.runs.size() < last));
      }
    }
  }
}

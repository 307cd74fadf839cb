// Same scenario + same seed => byte-identical trace and the same trace hash;
// different seeds => different runs; the trace level never changes the hash.
#include <doctest/doctest.h>

#include <set>

#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {
Scenario busy_scenario() {
  Scenario s = heartbeat_scenario(7, 5 * kSecond);
  s.network.defaults.latency.kind = LatencySpec::Kind::kLognormal;
  s.network.defaults.latency.median = 2 * kMillisecond;
  s.network.defaults.latency.sigma = 0.8;
  s.network.defaults.loss = 0.05;
  s.network.defaults.duplicate = 0.02;
  s.faults.push_back(fault(FaultEvent::Kind::kCrash, 1 * kSecond, {3}));
  s.faults.push_back(fault(FaultEvent::Kind::kRestart, 2 * kSecond, {3}));
  NemesisSpec n;
  n.kind = NemesisSpec::Kind::kPartition;
  n.every_min = 300 * kMillisecond;
  n.every_max = 900 * kMillisecond;
  n.recover_min = 100 * kMillisecond;
  n.recover_max = 400 * kMillisecond;
  s.nemesis.push_back(n);
  return s;
}
}  // namespace

TEST_CASE("the same seed gives a byte-identical trace and the same hash") {
  const Scenario s = busy_scenario();
  const TracedRun a = run_traced(s, {}, 42);
  const TracedRun b = run_traced(s, {}, 42);
  CHECK(a.result.trace_hash == b.result.trace_hash);
  REQUIRE(a.lines.size() > 1000);
  CHECK(a.lines == b.lines);
  CHECK(a.result.events == b.result.events);
  CHECK(a.result.messages_dropped == b.result.messages_dropped);
}

TEST_CASE("different seeds give different runs") {
  const Scenario s = busy_scenario();
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) hashes.insert(run_plain(s, {}, seed).trace_hash);
  CHECK(hashes.size() == 20);
}

TEST_CASE("the hash covers every event whatever the trace level, and without a trace file") {
  const Scenario s = busy_scenario();
  const std::uint64_t untraced = run_plain(s, {}, 9).trace_hash;
  for (auto level : {TraceLevel::kFaults, TraceLevel::kProtocol, TraceLevel::kMessages, TraceLevel::kAll}) {
    RunOptions o;
    o.seed = 9;
    o.trace_level = level;
    o.trace_path = temp_path("level.jsonl");
    const RunResult r = run_heartbeat(s, {}, o);
    std::filesystem::remove(o.trace_path);
    CHECK(r.trace_hash == untraced);
  }
}

TEST_CASE("trace levels keep what they promise") {
  const Scenario s = busy_scenario();
  auto lines_at = [&](TraceLevel level) {
    RunOptions o;
    o.seed = 3;
    o.trace_level = level;
    o.trace_path = temp_path("levels.jsonl");
    run_heartbeat(s, {}, o);
    auto lines = read_lines(o.trace_path);
    std::filesystem::remove(o.trace_path);
    return lines;
  };
  const auto faults = lines_at(TraceLevel::kFaults);
  const auto protocol = lines_at(TraceLevel::kProtocol);
  const auto messages = lines_at(TraceLevel::kMessages);
  const auto all = lines_at(TraceLevel::kAll);
  CHECK(!faults.empty());
  CHECK(select(faults, "fault").size() == faults.size());
  CHECK(select(protocol, "suspect").size() > 0);
  CHECK(select(protocol, "send").empty());
  CHECK(select(messages, "send").size() > 0);
  CHECK(select(messages, "timer").empty());
  CHECK(select(all, "timer").size() > 0);
  CHECK(faults.size() < protocol.size());
  CHECK(protocol.size() < messages.size());
  CHECK(messages.size() < all.size());
}

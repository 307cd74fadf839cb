// Raft's election metrics as docs/metrics.md defines them, checked against
// an oracle that reads the trace (the observer reads typed node state):
// elections counts terms in which some server stood, split_votes the ended
// terms without a leader that had two or more candidates, failed_elections
// those with one; time_to_leader_ns has one sample per leader loss, ended
// when the successor's first AppendEntries round is answered by a majority.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

using Traced = TracedRun;

Traced run_raft(const Scenario& s, std::uint64_t seed) { return run_registered_traced(s, seed, TraceLevel::kProtocol); }


}  // namespace

TEST_CASE("elections counts terms with a candidate, split_votes and failed_elections the leaderless ones by candidates") {
  for (const char* file : {"leader_crash.yaml", "nemesis.yaml"}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(file);
      CAPTURE(seed);
      const Traced t = run_raft(raft_scenario(file), seed);
      std::map<std::string, std::set<std::string>> stood;  // term -> candidates
      std::set<std::string> led;
      std::uint64_t candidacies = 0, latest = 0;
      for (const auto& l : t.lines) {
        const auto kind = json_field(l, "kind");
        if (kind != "candidate" && kind != "leader") continue;
        const auto term = json_field(l, "term");
        latest = std::max<std::uint64_t>(latest, std::stoull(term));
        if (kind == "candidate") {
          stood[term].insert(json_field(l, "node"));
          ++candidacies;
        } else {
          led.insert(term);
        }
      }
      std::uint64_t split = 0, failed = 0;
      for (const auto& [term, who] : stood)
        if (!led.count(term) && std::stoull(term) < latest) ++(who.size() >= 2 ? split : failed);
      CHECK(scalar(t.result, "elections") == static_cast<double>(stood.size()));
      CHECK(scalar(t.result, "split_votes") == static_cast<double>(split));
      CHECK(scalar(t.result, "failed_elections") == static_cast<double>(failed));
      CHECK(stood.size() <= candidacies);
    }
  }
}

TEST_CASE("time_to_leader_ns: one sample per lost leader, ended when its successor is established") {
  // Short timeouts (12-24 ms): a new leader must be heard from before the
  // voters' timers run out, or it is deposed before it is established. The
  // sample runs until some leader is established, so a crash gives one
  // sample however many leaders come and go before that.
  for (const char* latency : {"{dist: uniform, min: 1ms, max: 5ms}", "{dist: uniform, min: 5ms, max: 15ms}"}) {
    const Scenario s = raft_scenario("leader_crash.yaml", {"params.election_timeout=12ms..24ms",
                                                           "params.heartbeat_interval=4ms",
                                                           std::string("network.latency=") + latency, "expect=[]"});
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      CAPTURE(latency);
      CAPTURE(seed);
      const Traced t = run_raft(s, seed);
      std::uint64_t crashes = 0, leader_events = 0;
      for (const auto& l : t.lines) {
        if (json_field(l, "kind") == "fault" && json_field(l, "fault") == "crash") ++crashes;
        if (json_field(l, "kind") == "leader") ++leader_events;
      }
      const auto& samples = t.result.metrics.at("time_to_leader_ns").samples;
      CHECK(samples.size() >= 1);
      if (std::string(latency).find("min: 1ms") != std::string::npos) {
        // Fast links: leaders are established; one sample per crash of one.
        CHECK(samples.size() <= crashes);
        // The unavailability of a loss (until an entry of the new leader's
        // term applies) cannot end before its leader is established: the
        // commit needs answers from the same majority.
        const auto& unavailable = t.result.metrics.at("unavailable_ns").samples;
        REQUIRE(unavailable.size() == samples.size());
        for (std::size_t i = 0; i < samples.size(); ++i) CHECK(samples[i] <= unavailable[i]);
      } else {
        // Slow links: most leaders are deposed before they are established
        // and add no sample (a sample per "leader" event would count them all).
        CHECK(2 * samples.size() < leader_events);
      }
    }
  }
}

// The random nemesis draws faults from its rates and undoes them.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;
using namespace faultline::test;

TEST_CASE("a crash nemesis crashes a random node every 2-5 s and restarts it 1 s later") {
  Scenario s = heartbeat_scenario(5, 60 * kSecond);
  NemesisSpec n;
  n.kind = NemesisSpec::Kind::kCrash;
  n.every_min = 2 * kSecond;
  n.every_max = 5 * kSecond;
  n.recover_min = n.recover_max = 1 * kSecond;
  s.nemesis.push_back(n);
  const auto run = run_traced(s);
  const auto crashes = select(run.lines, "fault", {{"fault", "crash"}, {"cause", "nemesis"}});
  const auto restarts = select(run.lines, "fault", {{"fault", "restart"}, {"cause", "nemesis"}});
  CHECK(crashes.size() >= 60 / 5 - 1);
  CHECK(crashes.size() <= 60 / 2);
  REQUIRE(restarts.size() >= crashes.size() - 1);
  for (std::size_t i = 0; i < restarts.size(); ++i) {
    CHECK(json_field(restarts[i], "node") == json_field(crashes[i], "node"));
    CHECK(line_time(restarts[i]) - line_time(crashes[i]) == 1 * kSecond);
  }
  std::set<std::string> victims;
  for (const auto& c : crashes) victims.insert(json_field(c, "node"));
  CHECK(victims.size() >= 3);  // random victims, not always the same node
  CHECK(run.result.metrics.at("detection_ns").samples.size() >= crashes.size() - 2);
}

TEST_CASE("the nemesis never holds more than max_down nodes down") {
  Scenario s = heartbeat_scenario(5, 60 * kSecond);
  NemesisSpec n;
  n.kind = NemesisSpec::Kind::kPause;
  n.every_min = 100 * kMillisecond;
  n.every_max = 300 * kMillisecond;
  n.recover_min = 2 * kSecond;
  n.recover_max = 4 * kSecond;
  s.nemesis.push_back(n);
  const auto run = run_traced(s);
  int down = 0, most = 0;
  for (const auto& l : select(run.lines, "fault")) {
    const auto f = json_field(l, "fault");
    if (f == "pause") most = std::max(most, ++down);
    if (f == "resume") --down;
  }
  CHECK(most == 2);  // (5 - 1) / 2, reached because faults come faster than recoveries
}

TEST_CASE("a partition nemesis cuts a random minority and heals it") {
  Scenario s = heartbeat_scenario(7, 30 * kSecond);
  NemesisSpec n;
  n.kind = NemesisSpec::Kind::kPartition;
  n.every_min = 2 * kSecond;
  n.every_max = 3 * kSecond;
  n.recover_min = 1 * kSecond;
  n.recover_max = 1 * kSecond;
  s.nemesis.push_back(n);
  const auto run = run_traced(s);
  const auto cuts = select(run.lines, "fault", {{"fault", "partition"}});
  CHECK(cuts.size() >= 9);
  for (const auto& c : cuts) {
    const auto groups = json_field(c, "groups");
    const auto members = std::count(groups.begin(), groups.end(), ',') + 1;
    CHECK(members >= 1);
    CHECK(members <= 3);  // a minority of 7
  }
  CHECK(select(run.lines, "fault", {{"fault", "heal"}}).size() >= cuts.size() - 1);
  CHECK(run.result.drops_by_reason.at("partition") > 0);
}

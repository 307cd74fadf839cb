// Each network fault acts: partitions, one-way cuts, isolation, heal, loss,
// duplication, reordering and FIFO, in-flight drops. Every test compares the
// faulty run with what the fault must change.
#include <doctest/doctest.h>

#include <map>

#include "tests/support/heartbeat_runs.hpp"

using namespace faultline;
using namespace faultline::test;

namespace {

// Deliveries from `from` to `to` in [begin, end).
std::size_t deliveries(const std::vector<std::string>& lines, const std::string& from, const std::string& to,
                       Time begin, Time end) {
  std::size_t n = 0;
  for (const auto& l : select(lines, "deliver", {{"from", from}, {"node", to}}))
    if (line_time(l) >= begin && line_time(l) < end) ++n;
  return n;
}

bool suspected(const std::vector<std::string>& lines, const std::string& by, int peer) {
  return !select(lines, "suspect", {{"node", by}, {"peer", std::to_string(peer)}}).empty();
}

}  // namespace

TEST_CASE("a symmetric partition stops traffic between groups both ways until healed") {
  Scenario s = heartbeat_scenario(5, 4 * kSecond);
  FaultEvent p = fault(FaultEvent::Kind::kPartition, 1 * kSecond);
  p.groups = {{0, 1}};  // n0, n1 against the rest
  s.faults.push_back(p);
  s.faults.push_back(fault(FaultEvent::Kind::kHeal, 2 * kSecond));
  const auto run = run_traced(s);

  // 10 ms after the cut (later than any in-flight message) nothing crosses.
  CHECK(deliveries(run.lines, "n0", "n3", 1010 * kMillisecond, 2 * kSecond) == 0);
  CHECK(deliveries(run.lines, "n3", "n0", 1010 * kMillisecond, 2 * kSecond) == 0);
  // Inside a group, and after the heal, traffic flows.
  CHECK(deliveries(run.lines, "n0", "n1", 1010 * kMillisecond, 2 * kSecond) >= 8);
  CHECK(deliveries(run.lines, "n0", "n3", 2010 * kMillisecond, 3 * kSecond) >= 8);
  CHECK(run.result.drops_by_reason.at("partition") > 0);
  CHECK(suspected(run.lines, "n0", 3));
  CHECK(suspected(run.lines, "n3", 0));
  CHECK_FALSE(suspected(run.lines, "n0", 1));

  // Control: the same run without the partition drops nothing.
  Scenario healthy = heartbeat_scenario(5, 4 * kSecond);
  CHECK(run_plain(healthy).messages_dropped == 0);
}

TEST_CASE("a one-way cut loses messages in one direction only") {
  Scenario s = heartbeat_scenario(3, 3 * kSecond);
  FaultEvent f = fault(FaultEvent::Kind::kOneWay, 1 * kSecond);
  f.from = {0};
  f.to = {1};
  s.faults.push_back(f);
  const auto run = run_traced(s);
  CHECK(deliveries(run.lines, "n0", "n1", 1010 * kMillisecond, 3 * kSecond) == 0);
  CHECK(deliveries(run.lines, "n1", "n0", 1010 * kMillisecond, 3 * kSecond) >= 15);
  CHECK(suspected(run.lines, "n1", 0));        // n1 hears nothing from n0
  CHECK_FALSE(suspected(run.lines, "n0", 1));  // n0 still hears n1
  CHECK_FALSE(suspected(run.lines, "n2", 0));
}

TEST_CASE("isolating a node cuts it from everyone") {
  Scenario s = heartbeat_scenario(4, 3 * kSecond);
  s.faults.push_back(fault(FaultEvent::Kind::kIsolate, 1 * kSecond, {2}));
  const auto run = run_traced(s);
  for (const char* other : {"n0", "n1", "n3"}) {
    CHECK(deliveries(run.lines, "n2", other, 1010 * kMillisecond, 3 * kSecond) == 0);
    CHECK(deliveries(run.lines, other, "n2", 1010 * kMillisecond, 3 * kSecond) == 0);
  }
  CHECK(deliveries(run.lines, "n0", "n1", 1010 * kMillisecond, 3 * kSecond) >= 15);
}

TEST_CASE("messages in flight across a new partition are dropped on arrival") {
  Scenario s = heartbeat_scenario(2, 2 * kSecond);
  s.network.defaults.latency.kind = LatencySpec::Kind::kConstant;
  s.network.defaults.latency.value = 80 * kMillisecond;  // 80 ms in flight, heartbeats every 100 ms
  FaultEvent p = fault(FaultEvent::Kind::kPartition, 1 * kSecond);
  p.groups = {{0}, {1}};
  s.faults.push_back(p);
  s.faults.push_back(fault(FaultEvent::Kind::kHeal, 1 * kSecond + 1));  // healed 1 ns later
  const auto run = run_traced(s);
  // Every message sent in the 80 ms before the cut was in flight at the cut.
  std::size_t in_flight = 0;
  for (const auto& l : select(run.lines, "send"))
    if (line_time(l) > 1 * kSecond - 80 * kMillisecond && line_time(l) < 1 * kSecond) ++in_flight;
  REQUIRE(in_flight >= 1);
  std::size_t dropped = 0;
  for (const auto& l : select(run.lines, "drop", {{"reason", "partition"}}))
    if (line_time(l) >= 1 * kSecond && line_time(l) < 1 * kSecond + 80 * kMillisecond) ++dropped;
  CHECK(dropped == in_flight);
  // Messages sent after the heal get through.
  CHECK(deliveries(run.lines, "n0", "n1", 1100 * kMillisecond, 2 * kSecond) >= 8);
}

TEST_CASE("loss drops about the configured fraction") {
  Scenario s = heartbeat_scenario(10, 10 * kSecond);
  s.network.defaults.loss = 0.2;
  const RunResult r = run_plain(s, {.interval = 100 * kMillisecond, .timeout = 5 * kSecond});
  const double fraction = static_cast<double>(r.drops_by_reason.at("loss")) / static_cast<double>(r.messages_sent);
  CHECK(r.messages_sent > 8000);
  CHECK(fraction == doctest::Approx(0.2).epsilon(0.1));
  CHECK(r.messages_delivered + r.messages_dropped + r.messages_in_flight == r.messages_sent);
  CHECK(r.messages_in_flight < 90);  // at most one round of heartbeats
}

TEST_CASE("duplication delivers some messages twice") {
  Scenario s = heartbeat_scenario(10, 10 * kSecond);
  s.network.defaults.duplicate = 0.1;
  const RunResult r = run_plain(s);
  CHECK(r.messages_dropped == 0);
  CHECK(r.messages_duplicated > 0);
  CHECK(r.messages_delivered + r.messages_in_flight == r.messages_sent + r.messages_duplicated);
  CHECK(r.messages_in_flight < 100);
  CHECK(static_cast<double>(r.messages_duplicated) / static_cast<double>(r.messages_sent) ==
        doctest::Approx(0.1).epsilon(0.15));
}

TEST_CASE("per-link overrides apply to the links they name") {
  Scenario s = heartbeat_scenario(4, 5 * kSecond);
  LinkOverride o;
  o.from = {0};
  o.to = {1};
  o.symmetric = false;
  o.loss = 1.0;
  s.network.overrides.push_back(o);
  const auto run = run_traced(s);
  CHECK(deliveries(run.lines, "n0", "n1", 0, 5 * kSecond) == 0);
  CHECK(deliveries(run.lines, "n1", "n0", 0, 5 * kSecond) >= 40);
  CHECK(deliveries(run.lines, "n0", "n2", 0, 5 * kSecond) >= 40);
}

TEST_CASE("jitter reorders messages on a link — fifo keeps send order") {
  auto overtakes = [](bool fifo) {
    Scenario s = heartbeat_scenario(2, 5 * kSecond);
    s.network.fifo = fifo;
    s.network.defaults.latency.kind = LatencySpec::Kind::kUniform;
    s.network.defaults.latency.min = 1 * kMillisecond;
    s.network.defaults.latency.max = 400 * kMillisecond;  // > the 100 ms heartbeat interval
    const auto run = run_traced(s, {.interval = 100 * kMillisecond, .timeout = 2 * kSecond});
    // Message ids grow with send order; on one link, a delivery with a lower
    // id than an earlier delivery overtook nothing but was overtaken.
    long last = -1;
    int inversions = 0;
    for (const auto& l : select(run.lines, "deliver", {{"from", "n0"}})) {
      const long id = std::stol(json_field(l, "id"));
      if (id < last) ++inversions;
      last = std::max(last, id);
    }
    return inversions;
  };
  CHECK(overtakes(false) > 0);
  CHECK(overtakes(true) == 0);
}

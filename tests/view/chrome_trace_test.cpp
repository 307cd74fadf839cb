// The Chrome Trace Event export (sim/view/chrome_trace.hpp) of a real failing
// Raft run, checked for what Perfetto needs: one JSON document; named tracks;
// every flow start with exactly one finish, later than its start, on the
// receiver's track; each track's timestamps monotone; slices of positive
// length; and as many flows as the trace has messages delivered or dropped.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "sim/view/chrome_trace.hpp"
#include "sim/view/node_order.hpp"
#include "sim/view/trace_reader.hpp"
#include "tests/support/run_binary.hpp"

using namespace faultline;
using namespace faultline::view;

namespace {

double micros(const std::string& ts) { return std::stod(ts); }

}  // namespace

TEST_CASE("chrome trace: flows pair every delivered or dropped message, tracks are monotone (Raft mutant run)") {
  const std::string trace = test::temp_path("chrome.jsonl");
  const auto run = test::run_binary("run scenarios/raft/nemesis.yaml --seed 1 --set params.mutant=no_election_restriction "
                                    "--trace '" + trace + "'");
  REQUIRE(run.code == 1);  // the mutant breaks leader_completeness
  const auto lines = read_trace_file(trace);
  std::filesystem::remove(trace);
  const std::string json = chrome_trace_json(lines, "raft mutant");

  // One JSON document (parse_json_object checks the whole text strictly).
  const auto top = parse_json_object(json, "chrome.json", 1);
  REQUIRE(top.size() == 3);
  CHECK(top[2].key == "traceEvents");

  // One event per line after the first.
  std::map<std::string, double> flow_start;        // id -> ts
  std::map<std::string, std::string> flow_start_pid;
  std::set<std::string> finished;
  std::map<std::string, double> last_ts;           // "pid/tid" -> ts
  std::set<std::string> named_pids;
  int events = 0, slices = 0, role_slices = 0, crashed_slices = 0, violations = 0;
  std::size_t at = json.find('\n') + 1;
  for (;;) {
    const std::size_t end = json.find('\n', at);
    if (end == std::string::npos || json.compare(at, 2, "]}") == 0) break;
    std::string text = json.substr(at, end - at);
    if (!text.empty() && text.back() == ',') text.pop_back();
    at = end + 1;
    std::map<std::string, std::string> e;
    for (const auto& f : parse_json_object(text, "chrome.json", events + 2)) e[f.key] = f.text ? *f.text : f.json;
    ++events;
    const std::string ph = e["ph"], track = e["pid"] + "/" + e["tid"];
    if (ph == "M") {
      if (e["name"] == "process_name") named_pids.insert(e["pid"]);
      continue;
    }
    CHECK_MESSAGE(named_pids.count(e["pid"]) == 1, "pid " << e["pid"] << " has no process_name");
    const double ts = micros(e["ts"]);
    if (last_ts.count(track)) CHECK_MESSAGE(ts >= last_ts[track], "time goes back on track " << track);
    last_ts[track] = ts;
    if (ph == "X") {
      ++slices;
      CHECK(micros(e["dur"]) > 0);
      if (e["cat"] == "role") ++role_slices;
      if (e["name"] == "crashed") ++crashed_slices;
    } else if (ph == "s") {
      CHECK(flow_start.count(e["id"]) == 0);
      flow_start[e["id"]] = ts;
      flow_start_pid[e["id"]] = e["pid"];
    } else if (ph == "f") {
      CHECK(e["bp"] == "e");
      REQUIRE_MESSAGE(flow_start.count(e["id"]) == 1, "flow " << e["id"] << " finishes without a start");
      CHECK(finished.insert(e["id"]).second);
      CHECK(ts >= flow_start[e["id"]]);
    } else if (ph == "i") {
      if (e["cat"] == "violation") ++violations;
    }
  }

  // The flows are exactly the messages that arrived or were dropped.
  std::set<std::int64_t> sent, ended;
  int crashes = 0;
  for (const auto& l : lines) {
    if (l.kind == "fault" && l.string_field("fault") == "crash") ++crashes;
    if (l.kind == "send") sent.insert(*l.int_field("id"));
    if ((l.kind == "deliver" || l.kind == "drop") && sent.count(*l.int_field("id"))) ended.insert(*l.int_field("id"));
  }
  CHECK(finished.size() == ended.size());
  CHECK(flow_start.size() == sent.size());
  CHECK(ended.size() == 7531 - 6);  // sent, less the 6 still in flight when the run stopped
  CHECK(named_pids.size() == trace_nodes(lines).size() + 2);  // the nodes, the network and the clients
  CHECK(role_slices > 20);
  CHECK(slices > role_slices);  // the crashed slices too
  CHECK(crashes == 5);
  CHECK(crashed_slices == crashes);  // each crash is a slice until its restart (or the end)
  CHECK(violations == 1);  // the trace's own violation line, once
}

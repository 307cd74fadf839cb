// The faultline binary as a user meets it: exit codes, one JSON object,
// reproduce commands that reproduce, no trace file after bad input, sweeps
// that agree across --jobs, and every shipped scenario passing.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/run_binary.hpp"

namespace fs = std::filesystem;
using faultline::test::json_field;
using faultline::test::temp_path;

namespace {

using Output = faultline::test::BinaryRun;

// Runs faultline with `args` (already shell-quoted) from the source directory.
Output run_faultline(const std::string& args) { return faultline::test::run_binary(args); }

std::vector<fs::path> files_in(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / dir))
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// "# line: N" from a malformed file's header.
std::string expected_line(const fs::path& p) {
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("# line:", 0) == 0) return l.substr(l.find_first_not_of(' ', 7));
  return "";
}

}  // namespace

TEST_CASE("every malformed scenario exits 2 naming its file and line, and leaves no trace file") {
  const auto files = files_in("tests/malformed", ".yaml");
  REQUIRE(files.size() >= 20);
  for (const auto& f : files) {
    CAPTURE(f.string());
    const Output v = run_faultline("validate '" + f.string() + "'");
    CHECK(v.code == 2);
    const std::string line = expected_line(f);
    if (!line.empty()) CHECK(v.err.find(f.filename().string() + ":" + line + ":") != std::string::npos);
    CHECK(v.out.empty());

    const std::string trace = temp_path("bad.jsonl");
    const Output r = run_faultline("run '" + f.string() + "' --trace '" + trace + "'");
    CHECK(r.code == 2);
    CHECK(r.err.find("error: ") == 0);
    CHECK_FALSE(fs::exists(trace));
    CHECK_FALSE(fs::exists(trace + ".partial"));
  }
}

TEST_CASE("run --json prints exactly one JSON object with the documented keys") {
  const Output o = run_faultline("run scenarios/heartbeat/crash_detection.yaml --json");
  CHECK(o.code == 0);
  REQUIRE(!o.out.empty());
  CHECK(o.out.front() == '{');
  CHECK(o.out.find('\n') == o.out.size() - 1);  // one line
  CHECK(o.out[o.out.size() - 2] == '}');
  for (const char* key : {"scenario", "protocol", "seed", "virtual_time_ns", "events", "messages_sent",
                          "messages_delivered", "messages_dropped", "trace_hash", "violations", "expectations",
                          "metrics"})
    CHECK_MESSAGE(o.out.find(std::string("\"") + key + "\":") != std::string::npos, key);
  CHECK(json_field(o.out, "protocol") == "heartbeat");
  CHECK(json_field(o.out, "seed") == "1");
}

TEST_CASE("a failed run exits 1 and prints a reproduce command that reproduces it exactly") {
  const Output o = run_faultline("run scenarios/heartbeat/crash_detection.yaml --seed 5 --set expect.0.max=1ms --json");
  CHECK(o.code == 1);
  const std::string reproduce = json_field(o.out, "reproduce");
  CHECK(reproduce == "faultline run scenarios/heartbeat/crash_detection.yaml --seed 5 --set expect.0.max=1ms");
  CHECK(o.err.find(reproduce) != std::string::npos);
  const Output again = run_faultline(reproduce.substr(std::string("faultline ").size()) + " --json");
  CHECK(again.code == 1);
  CHECK(json_field(again.out, "trace_hash") == json_field(o.out, "trace_hash"));

  const Output summary = run_faultline("run scenarios/heartbeat/crash_detection.yaml --set expect.0.max=1ms");
  CHECK(summary.code == 1);
  CHECK(summary.out.find("FAILED") != std::string::npos);
  CHECK(summary.out.find("reproduce  faultline run") != std::string::npos);
}

TEST_CASE("the same run twice writes byte-identical traces — --seed changes the run") {
  const std::string a = temp_path("a.jsonl"), b = temp_path("b.jsonl"), c = temp_path("c.jsonl");
  REQUIRE(run_faultline("run scenarios/heartbeat/lossy_network.yaml --trace " + a).code == 0);
  REQUIRE(run_faultline("run scenarios/heartbeat/lossy_network.yaml --trace " + b).code == 0);
  run_faultline("run scenarios/heartbeat/lossy_network.yaml --seed 2 --trace " + c);
  const std::string ta = faultline::test::slurp_file(a), tb = faultline::test::slurp_file(b), tc = faultline::test::slurp_file(c);
  CHECK(ta.size() > 100000);
  CHECK(ta == tb);
  CHECK(ta != tc);
  fs::remove(a);
  fs::remove(b);
  fs::remove(c);
}

TEST_CASE("a sweep gives each seed the same result with --jobs 1 and --jobs 2") {
  const std::string args = "sweep scenarios/heartbeat/nemesis.yaml --seeds 1..12 --set duration=15s --set "
                           "expect.0.count_min=1 --json ";
  const Output one = run_faultline(args + "--jobs 1");
  const Output two = run_faultline(args + "--jobs 2");
  REQUIRE(one.out.find("\"seeds\":") != std::string::npos);
  const auto seeds_of = [](const std::string& out) { return out.substr(out.find("\"seeds\":"), out.find("\"wall_seconds\"") - out.find("\"seeds\":")); };
  CHECK(seeds_of(one.out) == seeds_of(two.out));
  CHECK(one.code == two.code);
  CHECK(json_field(one.out, "runs") == "12");
  for (const char* stat : {"\"min\":", "\"p50\":", "\"p90\":", "\"p99\":", "\"max\":", "\"mean\":"})
    CHECK(one.out.find(stat) != std::string::npos);
  // Different seeds, different runs.
  std::set<std::string> hashes;
  for (std::size_t at = 0; (at = one.out.find("\"trace_hash\":\"", at)) != std::string::npos; ++at)
    hashes.insert(one.out.substr(at + 14, 16));
  CHECK(hashes.size() == 12);
}

TEST_CASE("a sweep reports failing seeds with their reproduce commands") {
  const Output o = run_faultline("sweep scenarios/heartbeat/crash_detection.yaml --seeds 3..6 --set expect.0.max=1ms --jobs 2");
  CHECK(o.code == 1);
  for (int seed = 3; seed <= 6; ++seed)
    CHECK(o.out.find("faultline run scenarios/heartbeat/crash_detection.yaml --seed " + std::to_string(seed) +
                     " --set expect.0.max=1ms") != std::string::npos);
}

// That every shipped scenario meets its expectations, on seeds 1..20 and
// more, is tests/scenario/shipped_scenarios_test.cpp's (through the library);
// here the command line's part: each validates, and a scenario that fails
// as it declares (expect_failure) exits 0 and says so.
TEST_CASE("every shipped scenario validates, and a declared failure exits 0 and says so") {
  for (const auto& f : files_in("scenarios", ".yaml")) {
    CAPTURE(f.string());
    CHECK(run_faultline("validate '" + f.string() + "'").code == 0);
  }
  const Output livelock = run_faultline("run scenarios/paxos/livelock_without_backoff.yaml");
  CHECK_MESSAGE(livelock.code == 0, livelock.out);
  CHECK(livelock.out.find("[failed, as declared] some node learns a value") != std::string::npos);
  CHECK(livelock.out.find("expected   failed as declared:") != std::string::npos);
  const Output converges = run_faultline("run scenarios/paxos/livelock_without_backoff.yaml --set params.backoff=10ms..50ms");
  CHECK(converges.code == 1);
  CHECK(converges.out.find("not as declared") != std::string::npos);
}

TEST_CASE("--set errors name the override — bad flags and ranges exit 2 — --help exits 0") {
  const Output bad_set = run_faultline("run scenarios/heartbeat/crash_detection.yaml --set network.loss=1.5");
  CHECK(bad_set.code == 2);
  CHECK(bad_set.err.find("--set") != std::string::npos);
  CHECK(bad_set.err.find("network.loss") != std::string::npos);
  const Output typo = run_faultline("run scenarios/heartbeat/crash_detection.yaml --set network.los=0.1");
  CHECK(typo.code == 2);
  CHECK(typo.err.find("did you mean 'loss'") != std::string::npos);
  CHECK(run_faultline("sweep scenarios/heartbeat/crash_detection.yaml --seeds 9..3").code == 2);
  CHECK(run_faultline("run scenarios/heartbeat/crash_detection.yaml --trace-level everything").code == 2);
  CHECK(run_faultline("run scenarios/heartbeat/crash_detection.yaml --no-such-flag").code == 2);
  CHECK(run_faultline("run does/not/exist.yaml").code == 2);
  const Output help = run_faultline("--help");
  CHECK(help.code == 0);
  for (const char* word : {"run", "sweep", "validate", "bench", "heartbeat", "Examples"})
    CHECK(help.out.find(word) != std::string::npos);
}

TEST_CASE("compare runs the same seeds on each protocol and prints them side by side") {
  const Output o = run_faultline("compare scenarios/compare/leader_crash.yaml --protocols raft,multipaxos --seeds 1..3 --jobs 2");
  CHECK(o.code == 0);
  CHECK(o.out.find("raft") != std::string::npos);
  CHECK(o.out.find("multipaxos") != std::string::npos);
  CHECK(o.out.find("time to new leader p50") != std::string::npos);
  CHECK(o.out.find("3/3") == std::string::npos);  // no protocol failed every seed
  const Output j = run_faultline("compare scenarios/compare/leader_crash.yaml --seeds 1..2 --json");
  CHECK(j.code == 0);
  CHECK(j.out.find("\"multipaxos\":{\"runs\":2,\"failed_seeds\":[]") != std::string::npos);

  const Output bad = run_faultline("compare scenarios/compare/leader_crash.yaml --protocols raft,paxos --seeds 1..2");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("'paxos' is not a protocol with clients") != std::string::npos);
  CHECK(run_faultline("compare scenarios/compare/leader_crash.yaml --protocols raft --seeds 1..2").code == 2);
}

TEST_CASE("compare gives every protocol the same fault times for a seed") {
  // The nemesis draws from its own stream, so Raft and Multi-Paxos face the
  // same crash and restart times (a leader-targeted fault hits whoever leads).
  std::vector<std::string> times[2];
  const char* protocols[] = {"raft", "multipaxos"};
  for (int i = 0; i < 2; ++i) {
    const std::string trace = temp_path((std::string("faults_") + protocols[i] + ".jsonl").c_str());
    const Output o = run_faultline("run scenarios/compare/leader_crash.yaml --seed 3 --set protocol=" +
                                   std::string(protocols[i]) + " --trace '" + trace + "' --trace-level faults");
    REQUIRE(o.code == 0);
    std::ifstream in(trace);
    for (std::string line; std::getline(in, line);) times[i].push_back(line.substr(0, line.find(',')));
  }
  CHECK(times[0].size() >= 8);  // four crashes and their restarts at least
  CHECK(times[0] == times[1]);
}

// SIGINT and SIGTERM sent to the faultline binary (sim/io/interrupts.hpp):
// a sweep or compare stops handing out seeds and prints the seeds that
// completed, exit 128 + the signal; a second signal abandons the runs in
// progress; an interrupted run leaves no temporary trace file. Each test
// waits for faultline to say how far it got (its progress lines) before
// signalling, so what it asserts does not depend on timing.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/inotify.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/support/faultline_process.hpp"

namespace fs = std::filesystem;
using faultline::test::FaultlineChild;
using faultline::test::json_field;
using faultline::test::ProcessOutput;
using faultline::test::temp_path;

namespace {

// Far more seeds than run before the signal arrives: every assertion below
// holds however many of them complete (at least one, never all).
const std::vector<std::string> kLongSweep = {"sweep", "scenarios/heartbeat/crash_detection.yaml", "--seeds",
                                             "1..50000", "--jobs", "2", "--progress"};

std::size_t number_after(const std::string& text, const std::string& prefix) {
  const auto at = text.find(prefix);
  REQUIRE(at != std::string::npos);
  return std::stoull(text.substr(at + prefix.size()));
}

}  // namespace

TEST_CASE("SIGINT stops a sweep: no more seeds start, the completed ones are summarised, exit 130") {
  FaultlineChild child(kLongSweep);
  REQUIRE(child.wait_for_stderr("/50000 seeds", 2));  // 0/50000, then at least one seed done
  child.signal(SIGINT);
  const ProcessOutput o = child.finish();
  CHECK(o.code == 130);
  CHECK(o.err.find("SIGINT: no more seeds are started") != std::string::npos);
  const std::size_t runs = number_after(o.out, "runs       ");
  CHECK(runs >= 1);
  CHECK(runs < 50000);
  CHECK(o.out.find(fmt::format("interrupted by SIGINT after {} of 50000 seeds (seeds 1..{}); the figures cover those",
                               runs, runs)) != std::string::npos);
  CHECK(o.out.find("detection_ns") != std::string::npos);  // the metrics table of those seeds
  CHECK(o.err.find("faultline: sweep interrupted by SIGINT") != std::string::npos);
}

TEST_CASE("SIGTERM stops a sweep --json: one JSON object of the completed seeds, exit 143") {
  std::vector<std::string> args = kLongSweep;
  args.push_back("--json");
  FaultlineChild child(args);
  REQUIRE(child.wait_for_stderr("/50000 seeds", 2));  // 0/50000, then at least one seed done
  child.signal(SIGTERM);
  const ProcessOutput o = child.finish();
  CHECK(o.code == 143);
  REQUIRE(!o.out.empty());
  CHECK(o.out.find('\n') == o.out.size() - 1);
  CHECK(json_field(o.out, "interrupted") == "SIGTERM");
  CHECK(json_field(o.out, "planned_runs") == "50000");
  const std::size_t runs = std::stoull(json_field(o.out, "runs"));
  CHECK(runs >= 1);
  CHECK(runs < 50000);
  std::size_t listed = 0;
  for (std::size_t at = 0; (at = o.out.find("\"trace_hash\":", at)) != std::string::npos; ++at) ++listed;
  CHECK(listed == runs);
}

TEST_CASE("a second SIGINT abandons the runs in progress at once, exit 130 without a summary") {
  // One seed that would run for hours: only the second signal can end it.
  FaultlineChild child({"sweep", "scenarios/heartbeat/crash_detection.yaml", "--seeds", "1..2", "--jobs", "1",
                        "--set", "duration=1000h", "--progress"});
  REQUIRE(child.wait_for_stderr("sweep: 0/2 seeds"));  // printed once seed 1 is running
  child.signal(SIGINT);
  REQUIRE(child.wait_for_stderr("no more seeds are started"));
  child.signal(SIGINT);
  const ProcessOutput o = child.finish();
  INFO(o.out);
  INFO(o.err);
  CHECK(o.code == 130);
  CHECK(o.err.find("faultline: interrupted by SIGINT") != std::string::npos);
  CHECK(o.out.empty());
}

TEST_CASE("SIGINT stops compare: the table of what ran, the protocols not run, exit 130") {
  FaultlineChild child({"compare", "scenarios/compare/leader_crash.yaml", "--seeds", "1..50000", "--jobs", "2",
                        "--progress"});
  REQUIRE(child.wait_for_stderr("/50000 seeds", 2));  // 0/50000, then at least one raft seed done
  child.signal(SIGINT);
  const ProcessOutput o = child.finish();
  CHECK(o.code == 130);
  CHECK(o.out.find("time to new leader p50") != std::string::npos);
  const std::size_t runs = number_after(o.out, "interrupted by SIGINT during raft after ");
  CHECK(runs >= 1);
  CHECK(runs < 50000);
  CHECK(o.out.find(fmt::format("after {} of 50000 seeds; not run: multipaxos", runs)) != std::string::npos);
  const std::string failed = o.out.substr(o.out.find("failed seeds"));
  CHECK(failed.substr(0, failed.find('\n')).ends_with(fmt::format("/{}", runs)));  // one column, raft's
}

TEST_CASE("an interrupted run --trace removes its temporary file and never creates the trace") {
  const fs::path dir = temp_path("interrupted");
  fs::create_directory(dir);
  // Watch the directory, so the signal is sent only once the trace is being
  // written (its temporary file exists).
  const int watch = inotify_init1(IN_CLOEXEC);
  REQUIRE(watch >= 0);
  REQUIRE(inotify_add_watch(watch, dir.c_str(), IN_CREATE) >= 0);
  for (int sig : {SIGINT, SIGTERM}) {
    CAPTURE(sig);
    const std::string trace = (dir / "t.jsonl").string();
    FaultlineChild child({"run", "scenarios/heartbeat/crash_detection.yaml", "--set", "duration=1000h", "--trace",
                          trace});
    char event[sizeof(inotify_event) + 256];
    REQUIRE(::read(watch, event, sizeof event) > 0);
    CHECK(std::string(reinterpret_cast<inotify_event*>(event)->name).rfind("t.jsonl.partial.", 0) == 0);
    child.signal(sig);
    const ProcessOutput o = child.finish();
    CHECK(o.code == 128 + sig);
    CHECK(o.err.find(std::string("faultline: interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM")) !=
          std::string::npos);
    CHECK(fs::is_empty(dir));
  }
  ::close(watch);
  fs::remove_all(dir);
}

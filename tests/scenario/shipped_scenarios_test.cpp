// Every file under scenarios/ holds on seeds 1..20 (1..50 where a run is
// cheap: no client workload, so no linearizability check): each expectation met and no invariant broken, or, for a scenario
// that declares `expect_failure`, failed exactly as declared on every seed.
// The files are found by listing the folders, so a new scenario is covered
// without touching this file; one test case per folder lets ctest run them
// in parallel, and a failure names the file, the seed and the command that
// replays it (golden examples, as SimGrid keeps for its own).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;
namespace fs = std::filesystem;

namespace {

const fs::path kScenarios = fs::path(FAULTLINE_SOURCE_DIR) / "scenarios";

// The folders this file has a test case for (a new folder fails the last test).
const std::vector<std::string> kFolders = {"compare", "consul", "gossip",         "heartbeat", "libraft", "multipaxos", "paxos",
                                           "pingpong", "primary_backup", "raft",      "swim"};

// Runs with clients are checked for linearizability, which costs most of
// the time (raft/membership_churn seed 11 alone takes ~45 s in check_key);
// the others take milliseconds.
constexpr std::uint64_t kSeeds = 20;
constexpr std::uint64_t kCheapSeeds = 50;

std::vector<std::string> yaml_files(const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kScenarios / folder))
    if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(folder + "/" + e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// What went wrong in one run, for the failure message.
std::string what_failed(const RunResult& r) {
  std::string out;
  if (r.expected_failure) out += "\n    " + r.expected_failure->detail;
  for (const auto& e : r.expectations)
    if (!e.ok && !e.expected_to_fail) out += "\n    expectation failed: " + e.name + " (" + e.detail + ")";
  for (const auto& v : r.violations) out += "\n    invariant broken: " + v.invariant + ": " + v.message;
  return out;
}

// FAULTLINE_SHIPPED_SEEDS=N runs only seeds 1..N of each file: the sanitizer
// run (scripts/test-sanitizers.sh) sets it, so every shipped scenario still
// runs under AddressSanitizer and UndefinedBehaviorSanitizer, on a few seeds,
// inside CI's time budget. The plain run checks every seed.
std::uint64_t seed_cap() {
  const char* cap = std::getenv("FAULTLINE_SHIPPED_SEEDS");
  return cap != nullptr && std::atoi(cap) > 0 ? static_cast<std::uint64_t>(std::atoi(cap)) : ~std::uint64_t{0};
}

// `except`: files that find a bug on some seeds only, checked by their own tests.
void check_folder(const std::string& folder, const std::vector<std::string>& except = {}) {
  auto files = yaml_files(folder);
  for (const auto& e : except) files.erase(std::remove(files.begin(), files.end(), folder + "/" + e), files.end());
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    CAPTURE(file);
    const Scenario s = shipped_scenario(file);
    const std::uint64_t seeds = std::min(s.workload ? kSeeds : kCheapSeeds, seed_cap());
    const SweepResult r = sweep_seeds(s, seeds);
    REQUIRE(r.runs.size() == seeds);
    std::uint64_t held = 0;
    for (const auto& run : r.runs) {
      if (run.ok()) {
        ++held;
        continue;
      }
      FAIL_CHECK("scenarios/" << file << " seed " << run.seed << " failed" << what_failed(run)
                              << "\n    replay: build/faultline run scenarios/" << file << " --seed " << run.seed);
    }
    // A declared failure holds only by failing: ok() above means it did.
    if (s.expect_failure)
      for (const auto& run : r.runs) CHECK((run.expected_failure && (run.expected_failure->as_declared == run.ok())));
    MESSAGE("scenarios/" << file << ": " << held << " of " << seeds << " seeds hold"
                         << std::string(s.expect_failure ? " (failing as declared)" : ""));
  }
}

}  // namespace

TEST_CASE("shipped scenarios hold on every seed: compare") { check_folder("compare"); }
TEST_CASE("shipped scenarios hold on every seed: consul") { check_folder("consul"); }
TEST_CASE("shipped scenarios hold on every seed: gossip") { check_folder("gossip"); }
TEST_CASE("shipped scenarios hold on every seed: heartbeat") { check_folder("heartbeat"); }
// libraft/figure8.yaml and libraft/membership_churn.yaml find bugs of
// libraft 0.15 on some seeds (tests/libraft/libraft_test.cpp holds them to that).
TEST_CASE("shipped scenarios hold on every seed: libraft" * doctest::test_suite("long")) {
  check_folder("libraft", {"figure8.yaml", "membership_churn.yaml"});
}
TEST_CASE("shipped scenarios hold on every seed: multipaxos") { check_folder("multipaxos"); }
TEST_CASE("shipped scenarios hold on every seed: paxos") { check_folder("paxos"); }
TEST_CASE("shipped scenarios hold on every seed: pingpong") { check_folder("pingpong"); }
TEST_CASE("shipped scenarios hold on every seed: primary_backup") { check_folder("primary_backup"); }
TEST_CASE("shipped scenarios hold on every seed: raft") { check_folder("raft"); }
TEST_CASE("shipped scenarios hold on every seed: swim") { check_folder("swim"); }

TEST_CASE("every folder under scenarios/ has a test case above") {
  std::vector<std::string> folders;
  for (const auto& e : fs::directory_iterator(kScenarios))
    if (e.is_directory()) folders.push_back(e.path().filename().string());
  std::sort(folders.begin(), folders.end());
  CHECK(folders == kFolders);
}

// Every shipped scenario's trace hash on seeds 1 and 2, held against
// tests/scenario/shipped_trace_hashes.txt: the same scenario and seed give
// the same trace in every build. The suite runs in the plain build, in the
// profile-guided one (scripts/build.sh lays code out by a training run's
// counts) and under AddressSanitizer and UndefinedBehaviorSanitizer
// (scripts/test-sanitizers.sh, clang at -O1), so a behaviour that hangs on
// how the compiler optimised (an uninitialised read, an order of evaluation,
// a float contracted) shows as a hash that differs in one of them.
//
// The faultline executable is held to the same table by its own runs: in the
// profile-guided build it alone is link-time optimised (CMakeLists.txt), so
// this test binary's in-process runs do not run its code.
//
// A change that alters a trace on purpose rewrites the table: the failure
// message prints every line of the new one.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tests/support/run_binary.hpp"
#include "tests/support/sweep_runs.hpp"

using namespace faultline;
using namespace faultline::test;
namespace fs = std::filesystem;

namespace {

const fs::path kTable = fs::path(FAULTLINE_SOURCE_DIR) / "tests/scenario/shipped_trace_hashes.txt";
constexpr std::uint64_t kHashedSeeds = 2;

using Key = std::pair<std::string, std::uint64_t>;  // file under scenarios/, seed

// The table: "file seed hash" lines; '#' starts a comment line.
std::map<Key, std::string> read_table() {
  std::ifstream in(kTable);
  REQUIRE_MESSAGE(in.good(), "cannot read " << kTable.string());
  std::map<Key, std::string> table;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file, hash, rest;
    std::uint64_t seed = 0;
    fields >> file >> seed >> hash;
    REQUIRE_MESSAGE((!fields.fail() && hash.size() == 16 && !(fields >> rest)),
                    kTable.string() << ":" << number << ": expected 'file seed hash', got '" << line << "'");
    REQUIRE_MESSAGE(table.emplace(Key{file, seed}, hash).second, kTable.string() << ":" << number << ": a second line for "
                                                                                  << file << " seed " << seed);
  }
  return table;
}

std::vector<std::string> shipped_files() {
  std::vector<std::string> out;
  const fs::path root = fs::path(FAULTLINE_SOURCE_DIR) / "scenarios";
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path().lexically_relative(root).string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every shipped scenario gives the trace hash its table holds on seeds 1 and 2") {
  const auto table = read_table();
  const auto files = shipped_files();
  REQUIRE(files.size() >= 60);
  std::string new_table;
  int differ = 0;
  for (const auto& file : files) {
    const SweepResult r = sweep_seeds(shipped_scenario(file), kHashedSeeds);
    REQUIRE(r.runs.size() == kHashedSeeds);
    for (const auto& run : r.runs) {
      const std::string hash = fmt::format("{:016x}", run.trace_hash);
      new_table += fmt::format("{} {} {}\n", file, run.seed, hash);
      const auto it = table.find(Key{file, run.seed});
      if (it == table.end()) {
        ++differ;
        FAIL_CHECK("scenarios/" << file << " seed " << run.seed << " has no line in the table");
      } else if (it->second != hash) {
        ++differ;
        FAIL_CHECK("scenarios/" << file << " seed " << run.seed << ": trace hash " << hash << ", the table holds "
                                << it->second << "\n    replay: build/faultline run scenarios/" << file
                                << " --seed " << run.seed);
      }
    }
  }
  // A line for a file no longer shipped is stale.
  for (const auto& [key, hash] : table)
    if (!std::binary_search(files.begin(), files.end(), key.first) || key.second > kHashedSeeds) {
      ++differ;
      FAIL_CHECK(kTable.string() << " has a line for " << key.first << " seed " << key.second
                                 << ", which is not a shipped scenario's seed 1 or 2");
    }
  if (differ > 0) MESSAGE("the table these runs give (the lines after its comment):\n" << new_table);
  CHECK(differ == 0);
}

TEST_CASE("the faultline executable gives every shipped scenario the trace hash its table holds on seeds 1 and 2") {
  const auto table = read_table();
  const auto files = shipped_files();
  REQUIRE(files.size() >= 60);
  const std::string per_seed = temp_path("shipped_hashes.jsonl");
  int compared = 0;
  for (const auto& file : files) {
    // The exit code is not asked for: a scenario that expects its run to fail
    // exits 1 by design. The per-seed lines carry the hashes either way. The
    // file goes first, so a run that writes none is reported as that, not as
    // the hashes of the scenario before it.
    fs::remove(per_seed);
    const BinaryRun run = run_binary(fmt::format("sweep 'scenarios/{}' --seeds 1..{} --jobs 1 --quiet --force --per-seed '{}'",
                                                 file, kHashedSeeds, per_seed));
    REQUIRE_MESSAGE(run.signal == 0, "scenarios/" << file << ": faultline ended by signal " << run.signal << "\n" << run.err);
    std::istringstream lines(slurp_file(per_seed));
    std::string line;
    std::uint64_t seed = 0;
    while (std::getline(lines, line)) {
      ++seed;
      const std::string seed_field = fmt::format("{{\"seed\":{},", seed);
      const auto at = line.find("\"trace_hash\":\"");
      REQUIRE_MESSAGE((line.starts_with(seed_field) && at != std::string::npos),
                      "scenarios/" << file << ": per-seed line " << seed << " is '" << line.substr(0, 80) << "'");
      const std::string hash = line.substr(at + 14, 16);
      const auto it = table.find(Key{file, seed});
      REQUIRE_MESSAGE(it != table.end(), "scenarios/" << file << " seed " << seed << " has no line in the table");
      CHECK_MESSAGE(it->second == hash, "scenarios/" << file << " seed " << seed << ": " FAULTLINE_BINARY
                                                     " gives trace hash " << hash << ", the table holds " << it->second);
      ++compared;
    }
    REQUIRE_MESSAGE(seed == kHashedSeeds, "scenarios/" << file << ": " << seed << " per-seed lines\n" << run.err);
  }
  fs::remove(per_seed);
  CHECK(compared == static_cast<int>(kHashedSeeds * files.size()));
}

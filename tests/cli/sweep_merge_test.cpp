// Issue 13 through the binary: `sweep --shard K/N --out`, `merge`, and the
// bad input around them. A merge of a sweep's shards must be the one-machine
// sweep's record and summary, byte for byte, whatever N.
#include <doctest/doctest.h>

#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/faultline_process.hpp"

namespace fs = std::filesystem;
using faultline::test::FaultlineChild;
using faultline::test::ProcessOutput;
using faultline::test::run_faultline_shell;
using faultline::test::slurp_file;
using faultline::test::temp_path;

namespace {

const std::string kScenario = "scenarios/heartbeat/nemesis.yaml";  // varied metrics, 4 ms a seed
const std::string kSeeds = "1..21";

// The summary after the first line (which names the command, jobs and wall time).
std::string after_first_line(const std::string& text) { return text.substr(text.find('\n') + 1); }

void write_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

struct Shards {
  std::vector<std::string> files;
  std::string list() const {
    std::string out;
    for (const auto& f : files) out += " '" + f + "'";
    return out;
  }
  ~Shards() {
    for (const auto& f : files) fs::remove(f);
  }
};

Shards run_shards(const std::string& scenario, const std::string& seeds, int n, const std::string& extra = "") {
  Shards s;
  for (int k = 0; k < n; ++k) {
    s.files.push_back(temp_path("shard.json"));
    const ProcessOutput o = run_faultline_shell(fmt::format("sweep {} --seeds {} --shard {}/{} --jobs 2 --out '{}' {}",
                                                            scenario, seeds, k, n, s.files.back(), extra));
    REQUIRE_MESSAGE((o.code == 0 || o.code == 1), o.err);
  }
  return s;
}

}  // namespace

TEST_CASE("merge of N shards == the one-machine sweep, record and summary byte for byte (N = 1, 2, 3, 7)") {
  const std::string whole = temp_path("whole.json"), merged = temp_path("merged.json");
  const ProcessOutput one =
      run_faultline_shell(fmt::format("sweep {} --seeds {} --jobs 2 --out '{}'", kScenario, kSeeds, whole));
  REQUIRE(one.code == 0);
  CHECK(one.out.find("detection_ns") != std::string::npos);
  for (int n : {1, 2, 3, 7}) {
    CAPTURE(n);
    const Shards shards = run_shards(kScenario, kSeeds, n);
    // The shards in reverse order: merge sorts them by seed.
    std::string reversed;
    for (auto it = shards.files.rbegin(); it != shards.files.rend(); ++it) reversed += " '" + *it + "'";
    const ProcessOutput m = run_faultline_shell(fmt::format("merge{} -o '{}' --force", reversed, merged));
    CHECK(m.code == 0);
    CHECK(m.out.find(fmt::format("merge      heartbeat-nemesis ({}), seeds 1..21, {} shards", kScenario, n)) == 0);
    CHECK(slurp_file(merged) == slurp_file(whole));
    CHECK(after_first_line(m.out) == after_first_line(one.out));
  }
  fs::remove(whole);
  fs::remove(merged);
}

TEST_CASE("a failing sweep merged: exit 1, each failing seed with its replay command, as on one machine") {
  const std::string scenario = "scenarios/raft/nemesis.yaml";
  const std::string mutant = "--set params.mutant=no_election_restriction --set duration=3s";
  const ProcessOutput one = run_faultline_shell(fmt::format("sweep {} --seeds 1..5 --jobs 2 {}", scenario, mutant));
  REQUIRE(one.code == 1);
  const Shards shards = run_shards(scenario, "1..5", 2, mutant);
  const ProcessOutput m = run_faultline_shell("merge" + shards.list());
  CHECK(m.code == 1);
  CHECK(after_first_line(m.out) == after_first_line(one.out));
  CHECK(m.out.find("FAILED seed 4:") != std::string::npos);
  CHECK(m.out.find("reproduce: faultline run scenarios/raft/nemesis.yaml --seed 4 --set "
                   "params.mutant=no_election_restriction --set duration=3s") != std::string::npos);
}

TEST_CASE("sweep --shard: malformed or impossible shards are exit 2 naming the problem, before any run") {
  for (auto [shard, says] : {std::pair{"0/0", "the shard count must be at least 1"},
                             {"3/2", "shard index 3 is not below the shard count 2"},
                             {"x/2", "expected K/N, two whole numbers"},
                             {"1/", "expected K/N, two whole numbers"},
                             {"0/30", "30 shards for 21 seeds (1..21): a shard would have no seed"}}) {
    CAPTURE(shard);
    const ProcessOutput o = run_faultline_shell(fmt::format("sweep {} --seeds {} --shard '{}'", kScenario, kSeeds, shard));
    CHECK(o.code == 2);
    CHECK(o.err.find(says) != std::string::npos);
    CHECK(o.out.empty());
  }
}

TEST_CASE("sweep: the shard from a Slurm array task or a Kubernetes Indexed Job, and --shard wins over both") {
  const std::string out = temp_path("env.json");
  // --array=1-3, task 3: shard 2/3, seeds 15..21.
  ProcessOutput o = run_faultline_shell(fmt::format("sweep {} --seeds {} --out '{}'", kScenario, kSeeds, out),
                                        "export SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3;");
  CHECK(o.code == 0);
  CHECK(o.err.find("shard 2/3 (seeds 15..21 of 1..21) from SLURM_ARRAY_TASK_ID") != std::string::npos);
  CHECK(slurp_file(out).find("\"shard\":\"2/3\",\"shard_seeds\":\"15..21\"") != std::string::npos);
  o = run_faultline_shell(fmt::format("sweep {} --seeds {} --out '{}' --force", kScenario, kSeeds, out),
                          "export JOB_COMPLETION_INDEX=0 FAULTLINE_SHARD_COUNT=2;");
  CHECK(o.code == 0);
  CHECK(slurp_file(out).find("\"shard\":\"0/2\",\"shard_seeds\":\"1..10\"") != std::string::npos);
  o = run_faultline_shell(fmt::format("sweep {} --seeds {} --shard 1/7 --out '{}' --force", kScenario, kSeeds, out),
                          "export SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=3;");
  CHECK(o.code == 0);
  CHECK(slurp_file(out).find("\"shard\":\"1/7\",\"shard_seeds\":\"4..6\"") != std::string::npos);
  o = run_faultline_shell(fmt::format("sweep {} --seeds {}", kScenario, kSeeds), "export JOB_COMPLETION_INDEX=1;");
  CHECK(o.code == 2);
  CHECK(o.err.find("FAULTLINE_SHARD_COUNT is not") != std::string::npos);
  fs::remove(out);
}

TEST_CASE("merge: shards of different sweeps, a gap, an overlap, a missing or foreign file are exit 2 naming it") {
  const Shards three = run_shards(kScenario, kSeeds, 3);
  const auto& f = three.files;
  SUBCASE("a missing shard: the gap's seeds and the shard") {
    const ProcessOutput o = run_faultline_shell(fmt::format("merge '{}' '{}'", f[0], f[2]));
    CHECK(o.code == 2);
    CHECK(o.err.find("seeds 8..14 are in no shard") != std::string::npos);
    CHECK(o.err.find("shard 1/3 missing?") != std::string::npos);
    const ProcessOutput last = run_faultline_shell(fmt::format("merge '{}' '{}'", f[0], f[1]));
    CHECK(last.code == 2);
    CHECK(last.err.find("seeds 15..21 are in no shard") != std::string::npos);
  }
  SUBCASE("a shard given twice: the seeds in both") {
    const ProcessOutput o = run_faultline_shell(fmt::format("merge '{}' '{}' '{}' '{}'", f[0], f[1], f[1], f[2]));
    CHECK(o.code == 2);
    CHECK(o.err.find("seeds 8..14 are in two shards") != std::string::npos);
  }
  SUBCASE("a shard file that does not exist") {
    const ProcessOutput o = run_faultline_shell(fmt::format("merge '{}' /nonexistent/shard-1.json '{}'", f[0], f[2]));
    CHECK(o.code == 2);
    CHECK(o.err.find("/nonexistent/shard-1.json: cannot read the shard result: No such file or directory") !=
          std::string::npos);
  }
  SUBCASE("a shard of another scenario, of another faultline version, with other overrides or seeds") {
    const std::string other = temp_path("other.json");
    const std::string text = slurp_file(f[1]);
    for (auto [from, to, says] :
         {std::tuple{"\"faultline_version\":\"", "\"faultline_version\":\"0.0.1-", "faultline_version differs"},
          {"\"scenario_fnv1a64\":\"", "\"scenario_fnv1a64\":\"0", "scenario_fnv1a64 (the scenario file's content) differs"},
          {"\"overrides\":[]", "\"overrides\":[\"network.loss=0.1\"]", "overrides differs ((none) vs --set network.loss=0.1)"},
          {"\"seeds\":\"1..21\"", "\"seeds\":\"1..22\"", "seeds differs (1..21 vs 1..22)"}}) {
      CAPTURE(says);
      write_file(other, replaced(text, from, to));
      const ProcessOutput o = run_faultline_shell(fmt::format("merge '{}' '{}' '{}'", f[0], other, f[2]));
      CHECK(o.code == 2);
      CHECK(o.err.find(fmt::format("{} and {} are not shards of one sweep: {}", f[0], other, says)) != std::string::npos);
    }
    write_file(other, "{\"format\": \"something else\"}\n");
    ProcessOutput o = run_faultline_shell(fmt::format("merge '{}' '{}'", f[0], other));
    CHECK(o.code == 2);
    CHECK(o.err.find(other + ":1:") != std::string::npos);
    CHECK(o.err.find("format: 'something else' is not faultline-sweep-result/1") != std::string::npos);
    write_file(other, replaced(text, "\"runs\":7", "\"runs\":6"));
    o = run_faultline_shell(fmt::format("merge '{}' '{}' '{}'", f[0], other, f[2]));
    CHECK(o.code == 2);
    CHECK(o.err.find("runs: 6 runs for the 7 seeds of shard_seeds") != std::string::npos);
    fs::remove(other);
  }
}

TEST_CASE("sweep --out and merge -o: an existing file is kept unless --force, and --per-seed has one line per seed") {
  const std::string out = temp_path("existing.json"), per_seed = temp_path("seeds.jsonl");
  write_file(out, "keep me\n");
  ProcessOutput o = run_faultline_shell(fmt::format("sweep {} --seeds 1..3 --out '{}'", kScenario, out));
  CHECK(o.code == 2);
  CHECK(o.err.find(out + " exists; pass --force to replace it") != std::string::npos);
  CHECK(slurp_file(out) == "keep me\n");
  o = run_faultline_shell(fmt::format("merge '{}' -o '{}'", out, out));
  CHECK(o.code == 2);
  CHECK(slurp_file(out) == "keep me\n");
  o = run_faultline_shell(
      fmt::format("sweep {} --seeds 1..3 --out '{}' --force --per-seed '{}'", kScenario, out, per_seed));
  CHECK(o.code == 0);
  CHECK(slurp_file(out).find("{\"format\":\"faultline-sweep-result/1\"") == 0);
  const std::string lines = slurp_file(per_seed);
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 3);
  CHECK(lines.find("{\"seed\":1,\"ok\":true,\"trace_hash\":\"") == 0);
  CHECK(lines.find("\"detection_ns\":[") != std::string::npos);
  fs::remove(out);
  fs::remove(per_seed);
}

TEST_CASE("sweep --jobs defaults to the CPUs this process may use: 1 under taskset -c 0") {
  const ProcessOutput o = run_faultline_shell(fmt::format("sweep {} --seeds 1..2", kScenario),
                                              "taskset -p -c 0 $$ >/dev/null &&");
  CHECK(o.code == 0);
  CHECK(o.out.find("seeds 1..2, 1 jobs,") != std::string::npos);
}

TEST_CASE("SIGINT during a sweep with --out: says how far it got, writes no record, keeps an old one, exit 130") {
  const std::string out = temp_path("interrupted.json");
  write_file(out, "old\n");
  FaultlineChild child({"sweep", "scenarios/heartbeat/crash_detection.yaml", "--seeds", "1..50000", "--jobs", "2",
                        "--progress", "--out", out, "--force"});
  REQUIRE(child.wait_for_stderr("/50000 seeds", 2));
  child.signal(SIGINT);
  const ProcessOutput o = child.finish();
  CHECK(o.code == 130);
  CHECK(o.err.find("faultline: sweep interrupted by SIGINT after ") != std::string::npos);
  CHECK(o.err.find("; --out and --per-seed were not written") != std::string::npos);
  CHECK(slurp_file(out) == "old\n");
  bool partial = false;
  for (const auto& e : fs::directory_iterator(fs::path(out).parent_path()))
    partial = partial || e.path().string().rfind(out + ".partial", 0) == 0;
  CHECK_FALSE(partial);
  fs::remove(out);
}

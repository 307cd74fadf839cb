// The key-value workload end to end on primary-backup: closed-loop clients,
// redirects, timeouts and retries with sessions, and the linearizability
// check that fails the run when the store serves stale reads.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "protocols/primary_backup/binding/primary_backup_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/simulations.hpp"
#include "tests/support/trace_lines.hpp"

using namespace faultline;

namespace {

const char* kStore = R"(protocol: primary_backup
nodes: 3
duration: 5s
network:
  latency: {dist: uniform, min: 1ms, max: 10ms}
workload: {clients: 4, rate: 200, keys: 3, read_fraction: 0.5, request_timeout: 200ms}
)";

RunResult run(const Scenario& s, primary_backup::Params p, std::uint64_t seed) {
  RunOptions o;
  o.seed = seed;
  return run_protocol<PrimaryBackupProtocol>(s, p, o);
}

}  // namespace

TEST_CASE("a correct store gives a linearizable history, and the clients do real work") {
  const Scenario s = load_scenario_text(kStore, "store.yaml");
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const RunResult r = run(s, {}, seed);
    CHECK(r.violations.empty());
    CHECK(r.metrics.at("ops_ok").samples[0] > 400);
    CHECK(r.metrics.at("client_redirects").samples[0] > 0);  // clients start at random nodes
    CHECK(r.metrics.at("linearizability_unknown").samples[0] == 0);
  }
}

TEST_CASE("stale reads from backups are caught by the linearizability checker") {
  // The mutant: backups answer reads from their lagging copy; clients send
  // each operation to a random node. A bounded sweep must catch it in most seeds.
  Scenario s = load_scenario_text(kStore, "store.yaml");
  s.workload->random_target = true;
  s.network.defaults.latency.max = 30 * kMillisecond;
  s.workload->keys = 2;
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const RunResult r = run(s, {.follower_reads = true}, seed);
    if (!r.violations.empty()) {
      ++caught;
      CHECK(r.violations[0].invariant == "linearizability");
      CHECK(r.violations[0].message.find("get(") != std::string::npos);
    }
  }
  MESSAGE("follower_reads caught in " << caught << " of 10 seeds");
  CHECK(caught >= 5);
}

TEST_CASE("retries after timeouts apply once (sessions), so the history stays linearizable") {
  // The primary stalls for 600 ms, longer than the 200 ms client timeout:
  // clients retry the same requests at the backups, get redirected back, and
  // the primary sees duplicates when it resumes. Appends would show a double
  // application.
  Scenario s = load_scenario_text(std::string(kStore) +
                                      "faults:\n  - {at: 2s, pause: n0}\n  - {at: 2600ms, resume: n0}\n",
                                  "pause.yaml");
  s.workload->read_fraction = 0.3;
  const RunResult r = run(s, {}, 3);
  CHECK(r.metrics.at("client_timeouts").samples[0] >= 4);
  CHECK(r.violations.empty());
}

TEST_CASE("runs with clients are deterministic too") {
  const Scenario s = load_scenario_text(kStore, "store.yaml");
  CHECK(run(s, {}, 8).trace_hash == run(s, {}, 8).trace_hash);
  CHECK(run(s, {}, 8).trace_hash != run(s, {}, 9).trace_hash);
  CHECK(run(s, {}, 8).metrics.at("ops_ok").samples == run(s, {}, 8).metrics.at("ops_ok").samples);
}

TEST_CASE("a cas expects the last value its client read or wrote at that key") {
  // Read back from the trace: per client and key, the value of its last
  // answered get, or of its last put or successful cas (an append leaves
  // it); "" before either. Every cas invoked must expect exactly that.
  const std::string path = (std::filesystem::temp_directory_path() / "faultline_kv_workload_cas_test.jsonl").string();
  const Scenario s = load_scenario_text(kStore, "store.yaml");
  RunOptions o;
  o.seed = 3;
  o.trace_path = path;
  const RunResult r = run_protocol<PrimaryBackupProtocol>(s, {}, o);
  REQUIRE(r.violations.empty());
  std::map<std::pair<std::string, std::string>, std::string> seen;    // (client, key) -> value
  std::map<std::string, std::pair<std::string, std::string>> writing;  // client -> (op, value) in flight
  int cas = 0, expecting_a_value = 0;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::map<std::string, std::string> f;
    for (auto& [k, v] : faultline::test::parse_trace_line(line)) f[k] = v;
    const std::string kind = f["kind"];
    if (kind != "invoke" && kind != "complete") continue;
    const auto at = std::make_pair(f["client"], f["key"]);
    if (kind == "invoke") {
      writing[f["client"]] = {f["op"], f["value"]};
      if (f["op"] == "cas") {
        CAPTURE(line);
        CHECK(f["expected"] == seen[at]);
        ++cas;
        if (!seen[at].empty()) ++expecting_a_value;
      }
    } else if (f["result"] == "ok") {
      const auto& [op, value] = writing[f["client"]];
      if (f["op"] == "get") seen[at] = f["value"];
      else if (op == "put" || op == "cas") seen[at] = value;
    }
  }
  std::remove(path.c_str());
  CHECK(cas > 50);
  CHECK(expecting_a_value > cas / 2);  // most expect a value actually seen, not ""
}

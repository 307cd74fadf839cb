// Test support: build heartbeat scenarios in code, run them, and read the
// trace back as lines (and the same traced run for any registered
// protocol: run_registered_traced). The runs are compiled once, in heartbeat_runs.cpp:
// this header is in about twenty test files, and each instantiated the
// whole Simulation<HeartbeatProtocol> when it held them.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "protocols/heartbeat/binding/heartbeat_protocol.hpp"
#include "sim/run/run_options.hpp"
#include "sim/run/run_result.hpp"

namespace faultline::test {

inline Scenario heartbeat_scenario(NodeId nodes, Duration duration) {
  Scenario s;
  s.name = "test";
  s.path = "test.yaml";
  s.protocol = "heartbeat";
  for (NodeId i = 0; i < nodes; ++i) s.node_names.push_back(fmt::format("n{}", i));
  s.duration = duration;
  s.network.defaults.latency.kind = LatencySpec::Kind::kUniform;
  s.network.defaults.latency.min = 1 * kMillisecond;
  s.network.defaults.latency.max = 5 * kMillisecond;
  return s;
}

inline FaultEvent fault(FaultEvent::Kind kind, Time at, std::vector<NodeId> nodes = {}) {
  FaultEvent f;
  f.kind = kind;
  f.at = at;
  f.nodes = std::move(nodes);
  return f;
}

inline std::string temp_path(const char* what) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          fmt::format("faultline-test-{}-{}-{}", getpid(), counter++, what))
      .string();
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct TracedRun {
  RunResult result;
  std::vector<std::string> lines;
};

// One run of the heartbeat protocol: run_protocol<HeartbeatProtocol>.
RunResult run_heartbeat(const Scenario& s, const heartbeat::Params& params, const RunOptions& options);

// Runs with a full trace and returns the result and the trace's lines.
TracedRun run_traced(const Scenario& s, const heartbeat::Params& params = {}, std::uint64_t seed = 1);

RunResult run_plain(const Scenario& s, const heartbeat::Params& params = {}, std::uint64_t seed = 1);

// One run of the registered protocol the scenario names (`s.protocol`,
// e.g. raft) with a trace at `level`, read back (and its file removed).
TracedRun run_registered_traced(const Scenario& s, std::uint64_t seed, TraceLevel level = TraceLevel::kAll);

// The value of "key" in a flat JSON line, as text ("" when absent).
inline std::string json_field(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  auto at = line.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  if (line[at] == '"') {
    const auto end = line.find('"', at + 1);
    return line.substr(at + 1, end - at - 1);
  }
  const auto end = line.find_first_of(",}", at);
  return line.substr(at, end - at);
}

inline Time line_time(const std::string& line) { return std::stoll(json_field(line, "t")); }

// Lines whose "kind" is `kind` and whose other given fields match.
inline std::vector<std::string> select(const std::vector<std::string>& lines, const std::string& kind,
                                       std::vector<std::pair<std::string, std::string>> fields = {}) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (json_field(l, "kind") != kind) continue;
    bool all = true;
    for (const auto& [k, v] : fields) all = all && json_field(l, k) == v;
    if (all) out.push_back(l);
  }
  return out;
}

inline double metric(const RunResult& r, const std::string& name, std::size_t i = 0) {
  return r.metrics.at(name).samples.at(i);
}

}  // namespace faultline::test

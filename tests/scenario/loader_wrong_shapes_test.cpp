// A section with no value, or a value of the wrong shape, anywhere in a
// scenario: the loader reads it as absent or rejects it with a ScenarioError,
// and never crashes. (`workload:` with nothing after it used to dereference an
// empty section: SIGSEGV with raft, a heap-corruption abort with multipaxos.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/scenario_loader.hpp"

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "/work/main"
#endif

using namespace faultline;
namespace fs = std::filesystem;

namespace {

// Every dotted path in the tree ("network", "network.latency", "faults.0.at", ...).
void collect_paths(const YAML::Node& node, const std::string& prefix, std::vector<std::string>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) continue;
      const std::string path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      out.push_back(path);
      collect_paths(kv.second, path, out);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = prefix + "." + std::to_string(i);
      out.push_back(path);
      collect_paths(node[i], path, out);
    }
  }
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "loaded", "rejected", or what else was thrown.
std::string outcome(const std::string& text, const std::string& file, const std::vector<Override>& overrides) {
  try {
    load_scenario_text(text, file, overrides);
    return "loaded";
  } catch (const ScenarioError&) {
    return "rejected";
  } catch (const std::exception& e) {
    return std::string("threw ") + e.what();
  }
}

}  // namespace

TEST_CASE("a workload with no value is no workload, for every protocol with clients") {
  for (const char* protocol : {"raft", "multipaxos"}) {
    CAPTURE(protocol);
    const std::string text = std::string("protocol: ") + protocol + "\nnodes: 3\nworkload:\n";
    const Scenario s = load_scenario_text(text, "w.yaml");
    CHECK_FALSE(s.workload.has_value());
    const Scenario set_null = load_scenario_text("protocol: " + std::string(protocol) + "\nnodes: 3\nworkload: {clients: 4}\n",
                                                 "w.yaml", {parse_override("workload=null")});
    CHECK_FALSE(set_null.workload.has_value());
  }
  // A protocol without clients: an empty `workload:` is the same as none.
  CHECK_FALSE(load_scenario_text("protocol: heartbeat\nnodes: 3\nworkload:\n", "w.yaml").workload.has_value());
  // One that cannot work without clients says so.
  CHECK_THROWS_AS(load_scenario_text("protocol: primary_backup\nnodes: 3\nworkload:\n", "w.yaml"), ScenarioError);
}

TEST_CASE("every key of every shipped scenario set to a wrong shape loads or is rejected, nothing else") {
  // null, an empty list, an empty mapping, a word, a list of a mapping:
  // each replaces, one at a time, every key and list entry of every shipped
  // scenario. FAULTLINE_WRONG_SHAPES_PER_KEY=K (the sanitizer run sets 2, for
  // CI's time: YAML parsing under ASan is slow) tries K of them per key,
  // rotating, so every shape still meets every file and most kinds of key.
  const std::vector<std::string> shapes = {"null", "[]", "{}", "x", "[{}]"};
  const char* per_key_env = std::getenv("FAULTLINE_WRONG_SHAPES_PER_KEY");
  const std::size_t per_key = per_key_env != nullptr && std::atoi(per_key_env) > 0
                                  ? std::min<std::size_t>(static_cast<std::size_t>(std::atoi(per_key_env)), shapes.size())
                                  : shapes.size();
  std::size_t rotation = 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / "scenarios"))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);
  int loaded = 0, rejected = 0;
  for (const auto& f : files) {
    const std::string text = slurp(f);
    std::vector<std::string> paths;
    collect_paths(YAML::Load(text), "", paths);
    for (const auto& path : paths) {
      for (std::size_t k = 0; k < per_key; ++k) {
        const std::string& shape = shapes[(rotation + k) % shapes.size()];
        const std::string result = outcome(text, f.string(), {parse_override(path + "=" + shape)});
        CAPTURE(f.string());
        CAPTURE(path);
        CAPTURE(shape);
        REQUIRE_MESSAGE((result == "loaded" || result == "rejected"), result);
        (result == "loaded" ? loaded : rejected)++;
      }
      rotation += per_key;
    }
  }
  // Most shapes are wrong; a null (or {} for a section) is often read as absent.
  CHECK(rejected > loaded);
  CHECK(loaded > 100);
}

// The shrinker writes scenarios back as YAML: every kind of timeline fault in
// the shipped scenarios, written by fault_entry and loaded again, gives the
// same run (the same trace hash) as the file it came from.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/yaml_section.hpp"
#include "sim/shrink/scenario_document.hpp"

using namespace faultline;

namespace {

// The end of a slow_disk `for` is added by the loader: not written.
bool added_by_loader(const std::vector<FaultEvent>& faults, std::size_t i) {
  const FaultEvent& f = faults[i];
  if (f.kind != FaultEvent::Kind::kSlowDisk || f.slow_for != 0 || f.disk_factor_permille != 1000) return false;
  for (std::size_t j = 0; j < i; ++j)
    if (faults[j].kind == FaultEvent::Kind::kSlowDisk && faults[j].slow_for > 0 &&
        faults[j].at + faults[j].slow_for == f.at && faults[j].nodes == f.nodes)
      return true;
  return false;
}

}  // namespace

TEST_CASE("durations are written so the loader reads back exactly the same nanoseconds") {
  for (Duration d : std::vector<Duration>{0, 1, 3 * kSecond, 150 * kMillisecond, 1'500'000'000, 12'345'678'901,
                     7 * kMicrosecond}) {
    CAPTURE(d);
    CHECK(parse_duration(duration_text(d)) == d);
  }
  CHECK(duration_text(150 * kMillisecond) == "150ms");
  CHECK(duration_text(1'500'000'000LL) == "1500ms");
}

TEST_CASE("every shipped timeline, rewritten fault by fault, runs exactly as the file does") {
  std::size_t files = 0, faults = 0;
  std::set<FaultEvent::Kind> kinds;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(FAULTLINE_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string file = entry.path().string();
    const std::string text = read_scenario_file(file);
    const Scenario original = load_scenario_text(text, file);
    if (original.faults.empty() || original.node_count() > 100) continue;
    CAPTURE(file);
    YAML::Node doc = scenario_document(text, file, {});
    YAML::Node list(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < original.faults.size(); ++i) {
      if (added_by_loader(original.faults, i)) continue;
      list.push_back(fault_entry(original.faults[i], original));
      kinds.insert(original.faults[i].kind);
      ++faults;
    }
    doc["faults"] = list;
    const std::string written = emit_document(doc, "rewritten");
    const Scenario again = load_scenario_text(written, file);
    REQUIRE(again.faults.size() == original.faults.size());
    RunOptions o;
    o.seed = 1;
    const RunResult a = find_protocol(original.protocol)->run(original, o);
    const RunResult b = find_protocol(again.protocol)->run(again, o);
    CHECK(a.trace_hash == b.trace_hash);
    CHECK(a.events == b.events);
    ++files;
  }
  CHECK(files >= 15);
  CHECK(faults >= files);  // each file kept has at least one fault of its own
  // Every kind of fault but pause/resume-free ones is among them.
  CHECK(kinds.size() >= 10);
}

// A scenario as a YAML document the loader reads back to the same Scenario,
// for `faultline shrink`: the file's own document (with its --set overrides
// written in) for every section shrinking leaves alone, and the fault
// timeline, duration, nodes and workload it changes written over it.
//
// Round trip: load_scenario_text(emit_document(doc)) gives a Scenario whose
// run is the run of the document's scenario (the shrinker runs every
// candidate from its emitted text, so what it writes is what it ran).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

// The YAML tree of `text` with `overrides` applied, as the loader sees it;
// throws ScenarioError as the loader does.
YAML::Node scenario_document(std::string_view text, const std::string& file, const std::vector<Override>& overrides);

// A duration the loader parses back to exactly `d`: "3s", "150ms", "1234567ns".
std::string duration_text(Duration d);

// One `faults:` entry doing what `f` does. A slow_disk entry is written with
// its `for` (the loader adds the entry that ends it; do not write that one).
YAML::Node fault_entry(const FaultEvent& f, const Scenario& names);

// The document as YAML text, with `header` (lines without '#') as a comment on top.
std::string emit_document(const YAML::Node& doc, std::string_view header);

}  // namespace faultline

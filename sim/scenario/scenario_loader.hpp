// Loads and validates a scenario: YAML file -> --set overrides -> Scenario.
//
// Nothing runs until this returns: every problem is a ScenarioError naming
// the file, line and key (exit code 2 in the CLI). The loader never crashes
// or hangs on any input; tests/malformed/ holds one file per kind of mistake.
// The format is documented in docs/scenario-format.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_error.hpp"

namespace faultline {

// One `--set dotted.path=value` from the command line. The value is parsed as
// a YAML scalar or flow collection ("1000", "0.05", "150ms", "[n0, n1]").
// List elements are addressed by index: `faults.0.at=3s`.
struct Override {
  std::string path;
  std::string value;
};

// Parses "a.b=c"; throws ScenarioError for text without '=' or an empty path.
Override parse_override(std::string_view text);

// The file's text; a ScenarioError (without a line) for a missing file, one
// that is not a regular file (a directory, a device, a FIFO) or one above
// 64 MiB, each found before anything is read.
std::string read_scenario_file(const std::string& file);

Scenario load_scenario_file(const std::string& file, const std::vector<Override>& overrides = {});
// The same from text in memory; `file` is only used in messages.
Scenario load_scenario_text(std::string_view text, const std::string& file,
                            const std::vector<Override>& overrides = {});

}  // namespace faultline

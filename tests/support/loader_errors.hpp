// Test support: what the scenario loader says about a text.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario_error.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline::test {

// The error's what() for `text` (file "s.yaml") with `sets` applied, or "no error".
inline std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    std::vector<Override> overrides;
    for (const auto& s : sets) overrides.push_back(parse_override(s));
    load_scenario_text(text, "s.yaml", overrides);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace faultline::test

// What a fuzz input holds, for both libFuzzer targets (scenario_loader_fuzz,
// scenario_run_fuzz): a scenario's text, optionally followed by a line
// "#--set" and one override per line ("network.loss=0.5"). "#--set" is a
// YAML comment, so every shipped scenario is an input as it stands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"

namespace faultline::fuzz {

struct FuzzInput {
  std::string_view text;
  std::vector<Override> overrides;
};

// Throws ScenarioError for an override line parse_override refuses.
inline FuzzInput split_fuzz_input(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kSetMarker = "\n#--set\n";
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto marker = input.find(kSetMarker);
  FuzzInput out{input.substr(0, marker), {}};
  if (marker == std::string_view::npos) return out;
  std::string_view rest = input.substr(marker + kSetMarker.size());
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    if (!line.empty()) out.overrides.push_back(parse_override(line));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return out;
}

}  // namespace faultline::fuzz

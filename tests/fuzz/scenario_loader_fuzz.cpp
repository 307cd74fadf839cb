// libFuzzer target: the scenario loader and --set parsing (issue 10).
//
// An input is a scenario's text, optionally followed by a line "#--set" and
// one override per line ("network.loss=0.5"); "#--set" is a YAML comment, so
// every shipped scenario is an input as it stands. The loader's promise is
// checked: every input either loads or is refused with a ScenarioError;
// anything else (a crash, another exception, a leak, undefined behaviour under
// the sanitizers, a hang) is a finding. Built only with -DFAULTLINE_FUZZ=ON
// (clang-16); see scripts/fuzz.sh. tests/cli/fuzz_replay_test.cpp replays the
// corpus and every crash input through the normal binary.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"

namespace {

constexpr std::string_view kSetMarker = "\n#--set\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultline;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto marker = input.find(kSetMarker);
  const std::string_view text = input.substr(0, marker);
  std::vector<Override> overrides;
  try {
    if (marker != std::string_view::npos) {
      std::string_view rest = input.substr(marker + kSetMarker.size());
      while (!rest.empty()) {
        const auto end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        if (!line.empty()) overrides.push_back(parse_override(line));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
    }
    load_scenario_text(text, "fuzz.yaml", overrides);
  } catch (const ScenarioError&) {
    // The promised answer to bad input.
  }
  return 0;
}

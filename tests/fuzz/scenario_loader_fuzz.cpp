// libFuzzer target: the scenario loader and --set parsing (issue 10).
//
// An input is a scenario's text, optionally followed by overrides
// (tests/fuzz/fuzz_input.hpp). The loader's promise is
// checked: every input either loads or is refused with a ScenarioError;
// anything else (a crash, another exception, a leak, undefined behaviour under
// the sanitizers, a hang) is a finding. Built only with -DFAULTLINE_FUZZ=ON
// (clang-16); see scripts/fuzz.sh. tests/cli/fuzz_replay_test.cpp replays the
// corpus and every crash input through the normal binary.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultline;
  try {
    const fuzz::FuzzInput input = fuzz::split_fuzz_input(data, size);
    load_scenario_text(input.text, "fuzz.yaml", input.overrides);
  } catch (const ScenarioError&) {
    // The promised answer to bad input.
  }
  return 0;
}

// libFuzzer target: a scenario the loader accepts, run (the loader's fuzz
// target, scenario_loader_fuzz.cpp, stops at loading).
//
// An input is what the loader's target takes (tests/fuzz/fuzz_input.hpp).
// The promise checked:
// a scenario the loader accepts (and the memory estimate admits) runs to a
// result, with or without violations; a crash, an exception (a protocol's or
// the engine's logic_error included), a leak or undefined behaviour under the
// sanitizers is a finding. Each run is bounded so the fuzzer can try many:
// at most 64 nodes, 10 s of virtual time and 256 MiB by the estimate, and
// one second of wall time (a run stopped by the clock is still a run: the
// engine's stop path).
// Built only with -DFAULTLINE_FUZZ_RUN=ON (clang-16; scripts/fuzz.sh run).
// A finding is a bug in the engine or a protocol: fix it with a test that
// runs the input, and keep the input in tests/fuzz/crashes/ (replayed
// through `faultline validate` by tests/cli/fuzz_replay_test.cpp).
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/memory_estimate.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

constexpr std::uint64_t kMemoryLimit = 256ull << 20;
constexpr faultline::NodeId kMaxNodes = 64;
// The end-of-run checks run whole, past the deadline: the linearizability
// check of libraft's 30 s single-key churn takes 6 s in a plain build and
// minutes instrumented (a slow input stops libFuzzer as a timeout). Shorter
// runs keep the checks short; the fuzzer shortens the shipped scenarios.
constexpr faultline::Duration kMaxDuration = 10 * faultline::kSecond;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultline;
  Scenario scenario;
  const ProtocolBinding* binding = nullptr;
  try {
    const fuzz::FuzzInput input = fuzz::split_fuzz_input(data, size);
    scenario = load_scenario_text(input.text, "fuzz.yaml", input.overrides);
    if (scenario.node_count() > kMaxNodes || scenario.duration > kMaxDuration) return 0;
    binding = find_protocol(scenario.protocol);
    check_memory(scenario, *binding, kMemoryLimit);
  } catch (const ScenarioError&) {
    return 0;  // refused: the loader's target covers that
  }
  RunOptions options;
  options.seed = scenario.seed;
  options.trace_level = TraceLevel::kAll;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  (void)binding->run(scenario, options);  // anything thrown is a finding
  return 0;
}

// How a run's result is shown: a readable summary, or one JSON object.
#pragma once

#include <string>
#include <vector>

#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

// The exact command that reproduces a run: `faultline run FILE --seed N --set ...`.
std::string reproduce_command(const std::string& scenario_path, std::uint64_t seed,
                              const std::vector<Override>& overrides);

// Why a run failed, on one line: " election_safety violated; 'ops_ok >= 100' failed (37);".
std::string failure_reasons(const RunResult& result);

std::string result_summary(const RunResult& result, const std::string& reproduce);
std::string result_json(const RunResult& result, const std::string& reproduce);

}  // namespace faultline

// Checks a scenario's `expect` bounds against a run's metrics.
#pragma once

#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

// Fills result.expectations, one entry per Expectation, in scenario order.
// A bound on a metric with no samples fails (nothing was measured), unless
// the expectation only bounds the count from above or allows zero samples.
// With `expect_failure`, also judges whether the run failed as declared.
void evaluate_expectations(const Scenario& scenario, RunResult& result);

// Sets result.expected_failure: whether exactly the declared expectations
// failed and only a declared invariant broke (one, when any are declared).
void judge_expected_failure(const ExpectedFailure& declared, RunResult& result);

// The name an expectation is shown (and referred to) by: its `name`, else
// a description of its bound ("false_positives <= 0").
std::string expectation_name(const Expectation& e);

// "412ms", "1.5s", "17" — durations for metrics whose name ends in _ns.
std::string format_metric_value(const std::string& metric, double value);

}  // namespace faultline

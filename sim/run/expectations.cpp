#include "sim/run/expectations.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace faultline {

namespace {

bool is_duration_metric(const std::string& metric) {
  return metric.size() > 3 && metric.compare(metric.size() - 3, 3, "_ns") == 0;
}

std::string default_name(const Expectation& e) {
  std::string name = e.metric;
  if (e.min && e.max) name = fmt::format("{} <= {} <= {}", format_metric_value(e.metric, *e.min), e.metric,
                                         format_metric_value(e.metric, *e.max));
  else if (e.max) name = fmt::format("{} <= {}", e.metric, format_metric_value(e.metric, *e.max));
  else if (e.min) name = fmt::format("{} >= {}", e.metric, format_metric_value(e.metric, *e.min));
  if (e.count_min) name += fmt::format(", at least {} sample{}", *e.count_min, *e.count_min == 1 ? "" : "s");
  if (e.count_max) name += fmt::format(", at most {} sample{}", *e.count_max, *e.count_max == 1 ? "" : "s");
  return name;
}

}  // namespace

std::string expectation_name(const Expectation& e) { return e.name.empty() ? default_name(e) : e.name; }

std::string format_metric_value(const std::string& metric, double value) {
  if (!is_duration_metric(metric)) {
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
    return fmt::format("{:.4g}", value);
  }
  const double a = std::fabs(value);
  if (a >= 3600e9) return fmt::format("{:.4g}h", value / 3600e9);
  if (a >= 100e9) return fmt::format("{:.4g}s", value / 1e9);  // 3600s, not 3.6e+03s
  if (a >= 1e9) return fmt::format("{:.3g}s", value / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}ms", value / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g}us", value / 1e3);
  return fmt::format("{:.0f}ns", value);
}

void evaluate_expectations(const Scenario& scenario, RunResult& result) {
  result.expectations.clear();
  for (const auto& e : scenario.expectations) {
    ExpectationResult r;
    r.name = expectation_name(e);
    r.liveness = e.liveness;
    if (e.liveness && result.stop_reason == "violation") {
      // Progress after the heal is not judged when the run ended at a broken invariant, before it.
      r.ok = true;
      r.detail = "not judged: the run stopped at a violation";
      result.expectations.push_back(std::move(r));
      continue;
    }
    auto it = result.metrics.find(e.metric);
    const std::vector<double> none;
    const auto& samples = it == result.metrics.end() ? none : it->second.samples;
    const std::uint64_t count = samples.size();
    bool ok = true;
    std::vector<std::string> why;
    if (e.count_min && count < *e.count_min) {
      ok = false;
      why.push_back(fmt::format("{} samples, fewer than {}", count, *e.count_min));
    }
    if (e.count_max && count > *e.count_max) {
      ok = false;
      why.push_back(fmt::format("{} samples, more than {}", count, *e.count_max));
    }
    if ((e.min || e.max) && count == 0 && !(e.count_max && !e.count_min)) {
      ok = false;
      why.push_back("no samples");
    }
    if (count > 0) {
      const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
      if (e.max && *hi > *e.max) {
        ok = false;
        why.push_back(fmt::format("max {} > {}", format_metric_value(e.metric, *hi), format_metric_value(e.metric, *e.max)));
      }
      if (e.min && *lo < *e.min) {
        ok = false;
        why.push_back(fmt::format("min {} < {}", format_metric_value(e.metric, *lo), format_metric_value(e.metric, *e.min)));
      }
      if (why.empty())
        why.push_back(count == 1 ? fmt::format("{}", format_metric_value(e.metric, *lo))
                                 : fmt::format("{} samples in [{}, {}]", count, format_metric_value(e.metric, *lo),
                                               format_metric_value(e.metric, *hi)));
    }
    r.ok = ok;
    for (std::size_t i = 0; i < why.size(); ++i) r.detail += (i ? "; " : "") + why[i];
    result.expectations.push_back(std::move(r));
  }
  if (scenario.expect_failure) judge_expected_failure(*scenario.expect_failure, result);
}

void judge_expected_failure(const ExpectedFailure& declared, RunResult& result) {
  auto listed = [](const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  std::vector<std::string> wrong;
  for (auto& e : result.expectations) {
    e.expected_to_fail = listed(declared.expectations, e.name);
    if (e.expected_to_fail && e.ok) wrong.push_back(fmt::format("'{}' held, but must fail", e.name));
    if (!e.expected_to_fail && !e.ok) wrong.push_back(fmt::format("'{}' failed", e.name));
  }
  for (const auto& v : result.violations)
    if (!listed(declared.invariants, v.invariant)) wrong.push_back(fmt::format("{} broke, not a declared invariant", v.invariant));
  if (!declared.invariants.empty() && result.violations.empty()) {
    std::string list;
    for (const auto& i : declared.invariants) list += (list.empty() ? "" : " or ") + i;
    wrong.push_back(fmt::format("no invariant broke, but {} must", list));
  }
  ExpectedFailureResult r;
  r.as_declared = wrong.empty();
  if (r.as_declared) r.detail = "failed as declared: " + declared.reason;
  for (std::size_t i = 0; i < wrong.size(); ++i) r.detail += (i ? "; " : "not as declared: ") + wrong[i];
  result.expected_failure = std::move(r);
}

}  // namespace faultline

// Writing the viewer page and the Chrome trace for `faultline view` and for
// `faultline run --html/--chrome-trace`.
//
// These outputs never replace an existing file unless --force (then through
// OutputFile: a regular file is replaced atomically; sim/io/output_file.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/run/run_result.hpp"
#include "sim/view/trace_reader.hpp"

namespace faultline::view {

struct ViewOutputs {
  std::string html_path;          // empty: none
  std::string chrome_trace_path;  // empty: none
  bool force = false;
  std::string html_option = "--html";  // how errors name the HTML output's flag (`view` calls it -o)
  bool any() const { return !html_path.empty() || !chrome_trace_path.empty(); }
};

// Before any work: throws ScenarioError (exit 2) when a path exists and
// !force, OutputError (exit 5) when OutputFile would refuse it.
void check_view_outputs(const ViewOutputs& outputs);

// Writes each output asked for; throws OutputError.
void write_view_outputs(const std::vector<TraceLine>& lines, const std::string& title, const ViewOutputs& outputs);

// Adds the run's violations as `violation` lines (checker, node, details) in
// time order, unless the trace already has violation lines of its own.
void add_run_violations(std::vector<TraceLine>& lines, const std::vector<Violation>& violations);

}  // namespace faultline::view

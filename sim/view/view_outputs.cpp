#include "sim/view/view_outputs.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/io/output_file.hpp"
#include "sim/scenario/scenario_error.hpp"
#include "sim/view/chrome_trace.hpp"
#include "sim/view/html_viewer.hpp"

namespace faultline::view {

namespace {

void check_one(const std::string& path, bool force, std::string_view option) {
  if (path.empty()) return;
  if (!force && output_target(path) != OutputTarget::kAbsent)
    throw ScenarioError({std::string(option), 0, 0}, "",
                        fmt::format("'{}' exists; add --force to replace it", path));
  check_output_target(path, force, option);
}

void write_one(const std::string& path, const std::string& content, bool force, std::string_view option) {
  OutputFile file;
  file.open(path, force, option);
  file.write(content.data(), content.size());
  file.commit();
}

}  // namespace

void check_view_outputs(const ViewOutputs& outputs) {
  if (!outputs.html_path.empty() && outputs.html_path == outputs.chrome_trace_path)
    throw ScenarioError({"--chrome-trace", 0, 0}, "", "the same file as the HTML output");
  check_one(outputs.html_path, outputs.force, outputs.html_option);
  check_one(outputs.chrome_trace_path, outputs.force, "--chrome-trace");
}

void write_view_outputs(const std::vector<TraceLine>& lines, const std::string& title, const ViewOutputs& outputs) {
  if (!outputs.html_path.empty())
    write_one(outputs.html_path, viewer_page(lines, title), outputs.force, outputs.html_option);
  if (!outputs.chrome_trace_path.empty())
    write_one(outputs.chrome_trace_path, chrome_trace_json(lines, title), outputs.force, "--chrome-trace");
}

void add_run_violations(std::vector<TraceLine>& lines, const std::vector<Violation>& violations) {
  if (std::any_of(lines.begin(), lines.end(), [](const TraceLine& l) { return l.kind == "violation"; })) return;
  for (const auto& v : violations) {
    TraceLine line = make_trace_line(static_cast<std::int64_t>(v.time), "violation", v.node,
                                     {{"checker", v.invariant}, {"details", v.message}});
    const auto at = std::upper_bound(lines.begin(), lines.end(), line.t,
                                     [](std::int64_t t, const TraceLine& l) { return t < l.t; });
    lines.insert(at, std::move(line));
  }
}

}  // namespace faultline::view

// `faultline view TRACE.jsonl -o FILE.html [--chrome-trace FILE] [--force]`
// and the --html/--chrome-trace outputs of `faultline run`.
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/scenario/scenario_error.hpp"
#include "sim/view/view_outputs.hpp"

namespace faultline {

int view_command(const ViewCommand& c) {
  const view::ViewOutputs outputs{c.html_path, c.chrome_trace_path, c.force, "-o"};
  if (!outputs.any())
    throw ScenarioError({"view", 0, 0}, "", "nothing to write: give -o FILE.html and/or --chrome-trace FILE");
  check_view_outputs(outputs);
  const auto lines = view::read_trace_file(c.trace);
  view::write_view_outputs(lines, std::filesystem::path(c.trace).filename().string(), outputs);
  if (!c.html_path.empty()) fmt::print("wrote {} ({} events)\n", c.html_path, lines.size());
  if (!c.chrome_trace_path.empty())
    fmt::print("wrote {} (Chrome trace: open it in https://ui.perfetto.dev)\n", c.chrome_trace_path);
  return 0;
}

TemporaryTraceDir::TemporaryTraceDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/faultline-view-XXXXXX";
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error(fmt::format("cannot create a temporary directory for the trace ({})", pattern));
  dir_ = pattern;
}

TemporaryTraceDir::~TemporaryTraceDir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace faultline

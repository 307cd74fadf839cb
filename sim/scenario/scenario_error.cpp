#include "sim/scenario/scenario_error.hpp"

#include <fmt/format.h>

namespace faultline {

namespace {
std::string render(const SourceLocation& where, const std::string& key, const std::string& message) {
  std::string out = where.file;
  if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}
}  // namespace

ScenarioError::ScenarioError(SourceLocation where, std::string key, std::string message)
    : std::runtime_error(render(where, key, message)),
      where_(std::move(where)),
      key_(std::move(key)),
      message_(std::move(message)) {}

}  // namespace faultline

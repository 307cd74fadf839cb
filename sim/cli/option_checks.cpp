#include "sim/cli/option_checks.hpp"

#include <fmt/format.h>

namespace faultline {

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, const std::string& what) {
  const std::string range = fmt::format("expected {} from {} to {}", what, min, max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        std::string shown = text.size() > 40 ? text.substr(0, 37) + "..." : text;
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        std::uint64_t v = 0;
        bool fits = digits;
        for (char c : text) {
          if (!fits) break;
          const auto digit = static_cast<std::uint64_t>(c - '0');
          if (v > (UINT64_MAX - digit) / 10) fits = false;
          else v = v * 10 + digit;
        }
        if (!fits || v < min || v > max) return fmt::format("{}, got '{}'", range, shown);
        return "";
      },
      fmt::format("{}..{}", min, max));
}

}  // namespace faultline

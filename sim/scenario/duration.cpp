// parse_duration: "150ms", "1.5s", "2m" -> nanoseconds, exactly (integer
// arithmetic only, so "0.1s" is 100'000'000 ns, not a rounded double).
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/scenario/yaml_section.hpp"

namespace faultline {

namespace {

struct Unit {
  std::string_view name;
  Duration ns;
};
constexpr Unit kUnits[] = {{"ns", kNanosecond}, {"us", kMicrosecond}, {"µs", kMicrosecond}, {"ms", kMillisecond},
                           {"s", kSecond},      {"m", kMinute},       {"min", kMinute},     {"h", kHour}};
constexpr Duration kMaxDuration = Duration{1} << 62;

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  __int128 whole = 0;
  std::size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + (text[i] - '0');
    if (whole > kMaxDuration) return std::nullopt;
    ++i;
    ++digits;
  }
  __int128 fraction = 0, scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::size_t fraction_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (fraction_digits < 18) {
        fraction = fraction * 10 + (text[i] - '0');
        scale *= 10;
      } else if (text[i] != '0') {
        return std::nullopt;  // finer than we can represent
      }
      ++i;
      ++fraction_digits;
    }
    if (fraction_digits == 0) return std::nullopt;
  }
  if (digits == 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  if (unit.empty()) {
    // A bare number is only allowed for zero, which needs no unit.
    if (whole == 0 && fraction == 0) return 0;
    return std::nullopt;
  }
  for (const auto& u : kUnits) {
    if (u.name != unit) continue;
    const __int128 ns_whole = whole * u.ns;
    const __int128 ns_fraction_scaled = fraction * u.ns;
    if (ns_fraction_scaled % scale != 0) return std::nullopt;  // not a whole number of ns
    const __int128 total = ns_whole + ns_fraction_scaled / scale;
    if (total > kMaxDuration) return std::nullopt;
    return static_cast<Duration>(total);
  }
  return std::nullopt;
}

}  // namespace faultline

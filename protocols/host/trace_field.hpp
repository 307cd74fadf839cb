// Structured fields of a protocol trace event: emit("role", {{"term", 3},
// {"role", "leader"}}). Keys and text must be string literals or otherwise
// outlive the call; the host copies what it keeps.
#pragma once

#include <cstdint>
#include <string_view>

namespace faultline {

struct TraceField {
  std::string_view key;
  std::int64_t number = 0;
  std::string_view text;
  bool is_text = false;

  constexpr TraceField(std::string_view k, std::int64_t n) : key(k), number(n) {}
  constexpr TraceField(std::string_view k, int n) : key(k), number(n) {}
  constexpr TraceField(std::string_view k, std::uint32_t n) : key(k), number(n) {}
  constexpr TraceField(std::string_view k, std::uint64_t n) : key(k), number(static_cast<std::int64_t>(n)) {}
  constexpr TraceField(std::string_view k, std::string_view t) : key(k), text(t), is_text(true) {}
  constexpr TraceField(std::string_view k, const char* t) : key(k), text(t), is_text(true) {}
};

}  // namespace faultline

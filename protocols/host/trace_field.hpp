// Structured fields of a protocol trace event: emit("role", {{"term", 3},
// {"role", "leader"}}). Keys and text must be string literals or otherwise
// outlive the call; the host copies what it keeps.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocols/host/time.hpp"

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

// A short text field built on the stack, for a message's list of items
// ("1:3,2:5"): append, then pass view() as a TraceField's text while this
// lives. Holds at most N characters; what does not fit is left out.
template <std::size_t N>
class FieldText {
 public:
  FieldText& add(std::string_view text) {
    for (char c : text)
      if (size_ < N) buf_[size_++] = c;
    return *this;
  }
  FieldText& add(std::uint64_t number) {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    return add(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  std::string_view view() const { return {buf_, size_}; }

 private:
  char buf_[N];
  std::size_t size_ = 0;
};

// A node id as a protocol or message field: the number, or -1 for none.
inline std::int64_t node_field(NodeId node) { return node == kNoNode ? -1 : static_cast<std::int64_t>(node); }

}  // namespace faultline

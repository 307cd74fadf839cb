// What yaml-cpp accepts but a scenario must not contain, found in the text
// before it becomes a tree:
//   - bytes that are not UTF-8, anywhere (comments included): names and
//     descriptions reach the JSON output and the trace, which are UTF-8
//     (yaml-cpp itself refuses escapes that would not be: "\udc00");
//   - a second document after `---`: YAML::Load reads the first and would
//     silently ignore the rest.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

struct TextProblem {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
  std::string message;
};

// The offset of the first byte that does not start or continue a well-formed
// UTF-8 sequence (overlong forms, surrogates and code points above U+10FFFF
// are not well-formed), or nullopt when all of `text` is UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// The first byte that is not UTF-8, as a problem at its line and column.
std::optional<TextProblem> find_invalid_utf8(std::string_view text);

// After the text has parsed (YAML::Load did not throw): the start of a
// second document, if there is one. May throw YAML::Exception for a syntax
// error in that later document.
std::optional<TextProblem> find_second_document(std::string_view text);

}  // namespace faultline

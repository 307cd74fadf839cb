#include "sim/scenario/yaml_text_checks.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace faultline {

namespace {

TextProblem at_offset(std::string_view text, std::size_t offset, std::string message) {
  TextProblem p;
  const std::string_view before = text.substr(0, offset);
  p.line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  const auto newline = before.rfind('\n');
  p.column = 1 + static_cast<int>(newline == std::string_view::npos ? offset : offset - newline - 1);
  p.message = std::move(message);
  return p;
}

// Records where each document starts; nothing else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The well-formed sequences of Unicode 15, table 3-7.
    std::size_t length = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c == 0xE0) length = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) length = 3;
    else if (c == 0xED) length = 3, hi = 0x9F;  // no surrogates
    else if (c >= 0xEE && c <= 0xEF) length = 3;
    else if (c == 0xF0) length = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) length = 4;
    else if (c == 0xF4) length = 4, hi = 0x8F;  // at most U+10FFFF
    else return i;
    if (i + length > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < length; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    i += length;
  }
  return std::nullopt;
}

std::optional<TextProblem> find_invalid_utf8(std::string_view text) {
  const auto bad = first_invalid_utf8(text);
  if (!bad) return std::nullopt;
  return at_offset(text, *bad,
                   fmt::format("the file is not UTF-8: byte 0x{:02X} here does not start or continue a UTF-8 character",
                               static_cast<unsigned>(static_cast<unsigned char>(text[*bad]))));
}

std::optional<TextProblem> find_second_document(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentStarts scan;
  parser.HandleNextDocument(scan);
  if (!parser.HandleNextDocument(scan) || scan.starts.size() < 2) return std::nullopt;
  const YAML::Mark m = scan.starts[1];
  return TextProblem{std::max(1, m.line + 1), std::max(1, m.column + 1),
                     "a second YAML document starts here (after '---' or '...'); a scenario is one document"};
}

}  // namespace faultline

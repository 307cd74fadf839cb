#include "sim/view/trace_reader.hpp"

#include <charconv>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "sim/json/json_writer.hpp"
#include "sim/scenario/scenario_error.hpp"

namespace faultline::view {

namespace {

// A strict JSON reader over one line (RFC 8259), enough to check a trace line
// and to pick its top-level keys. Nested values are checked and kept as text.
class LineParser {
 public:
  LineParser(std::string_view text, const std::string& file, int line) : s_(text), file_(file), line_(line) {}

  TraceLine parse() {
    TraceLine out;
    out.json = std::string(s_);
    skip_space();
    if (at_end()) fail("an empty line, not a trace event");
    if (s_[pos_] != '{') fail("not a JSON object (a faultline trace has one object per line)");
    ++pos_;
    skip_space();
    if (peek() == '}') {
      ++pos_;
    } else {
      for (;;) {
        skip_space();
        if (peek() != '"') fail("expected a key in double quotes");
        TraceField f;
        f.key = parse_string();
        skip_space();
        expect(':');
        skip_space();
        const std::size_t start = pos_;
        if (peek() == '"') {
          f.text = parse_string();
        } else {
          parse_value();
        }
        f.json = std::string(s_.substr(start, pos_ - start));
        out.fields.push_back(std::move(f));
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        break;
      }
    }
    skip_space();
    if (!at_end()) fail("text after the JSON object");
    return out;
  }

  [[noreturn]] void fail(const std::string& what, const std::string& key = "") const {
    throw ScenarioError({file_, line_, static_cast<int>(pos_) + 1}, key, what);
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const {
    if (at_end()) fail("the line ends inside a JSON value (a truncated trace?)");
    return s_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail(fmt::format("expected '{}', found '{}'", c, s_[pos_]));
    ++pos_;
  }
  void skip_space() {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) ++pos_;
  }

  void parse_value(int depth = 0) {
    if (depth > 64) fail("JSON nested too deeply");
    const char c = peek();
    if (c == '"') {
      parse_string();
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      skip_space();
      if (peek() == close) {
        ++pos_;
        return;
      }
      for (;;) {
        skip_space();
        if (c == '{') {
          if (peek() != '"') fail("expected a key in double quotes");
          parse_string();
          skip_space();
          expect(':');
          skip_space();
        }
        parse_value(depth + 1);
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(close);
        return;
      }
    } else if (c == 't' || c == 'f' || c == 'n') {
      for (const char* word : {"true", "false", "null"})
        if (s_.substr(pos_, std::char_traits<char>::length(word)) == word) {
          pos_ += std::char_traits<char>::length(word);
          return;
        }
      fail("not a JSON value");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      parse_number();
    } else {
      fail(fmt::format("not a JSON value (starts with '{}')", c));
    }
  }

  void parse_number() {
    auto digits = [&] {
      const std::size_t from = pos_;
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == from) fail("a number without digits");
    };
    if (s_[pos_] == '-') ++pos_;
    if (!at_end() && s_[pos_] == '0') {
      ++pos_;
    } else {
      digits();
    }
    if (!at_end() && s_[pos_] == '.') ++pos_, digits();
    if (!at_end() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!at_end() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      digits();
    }
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::uint32_t hex4() {
    if (pos_ + 4 > s_.size()) fail("a truncated \\u escape");
    std::uint32_t v = 0;
    const auto r = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, v, 16);
    if (r.ptr != s_.data() + pos_ + 4) fail("a bad \\u escape");
    pos_ += 4;
    return v;
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    for (;;) {
      if (at_end()) fail("the line ends inside a string (a truncated trace?)");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) fail("the line ends inside a string (a truncated trace?)");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            const std::uint32_t low = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(fmt::format("a bad escape '\\{}' in a string", e));
      }
    }
  }

  std::string_view s_;
  const std::string& file_;
  int line_;
  std::size_t pos_ = 0;
};

}  // namespace

const TraceField* TraceLine::field(std::string_view key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

std::string TraceLine::string_field(std::string_view key) const {
  const TraceField* f = field(key);
  if (!f) return "";
  return f->text ? *f->text : f->json;
}

std::optional<std::int64_t> TraceLine::int_field(std::string_view key) const {
  const TraceField* f = field(key);
  if (!f || f->text) return std::nullopt;
  std::int64_t v = 0;
  const auto r = std::from_chars(f->json.data(), f->json.data() + f->json.size(), v);
  if (r.ec != std::errc() || r.ptr != f->json.data() + f->json.size()) return std::nullopt;
  return v;
}

std::vector<TraceField> parse_json_object(std::string_view text, const std::string& file, int line_number) {
  return LineParser(text, file, line_number).parse().fields;
}

TraceLine parse_trace_line(std::string_view text, const std::string& file, int line_number) {
  LineParser parser(text, file, line_number);
  TraceLine line = parser.parse();
  const TraceField* t = line.field("t");
  const TraceField* kind = line.field("kind");
  const TraceField* node = line.field("node");
  if (!t || !kind)
    throw ScenarioError({file, line_number, 1}, t ? "kind" : "t",
                        "missing: not a faultline trace (every line has an integer `t` and a string `kind`, "
                        "docs/trace-format.md)");
  const auto time = line.int_field("t");
  if (!time || *time < 0)
    throw ScenarioError({file, line_number, 1}, "t", fmt::format("expected virtual nanoseconds >= 0, got {}", t->json));
  if (!kind->text || kind->text->empty())
    throw ScenarioError({file, line_number, 1}, "kind", fmt::format("expected a non-empty string, got {}", kind->json));
  if (node && !node->text)
    throw ScenarioError({file, line_number, 1}, "node", fmt::format("expected a node name (a string), got {}", node->json));
  line.t = *time;
  line.kind = *kind->text;
  if (node) line.node = *node->text;
  return line;
}

std::vector<TraceLine> read_trace_text(std::string_view text, const std::string& file) {
  std::vector<TraceLine> lines;
  if (text.empty()) throw ScenarioError({file, 0, 0}, "", "empty: a faultline trace has at least one event");
  int number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    ++number;
    const std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) {
      // Every line the simulator writes ends in a newline: without one the
      // file was cut short. The line is parsed first, for a better message.
      parse_trace_line(text.substr(at), file, number);
      throw ScenarioError({file, number, static_cast<int>(text.size() - at) + 1}, "",
                          "the last line has no newline: a truncated trace");
    }
    TraceLine line = parse_trace_line(text.substr(at, end - at), file, number);
    if (!lines.empty() && line.t < lines.back().t)
      throw ScenarioError({file, number, 1}, "t",
                          fmt::format("time goes back ({} after {}): not a faultline trace, or lines out of order",
                                      line.t, lines.back().t));
    lines.push_back(std::move(line));
    at = end + 1;
  }
  return lines;
}

std::vector<TraceLine> read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path, 0, 0}, "", "cannot open the trace file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ScenarioError({path, 0, 0}, "", "cannot read the trace file");
  return read_trace_text(text, path);
}

TraceLine make_trace_line(std::int64_t t, std::string kind, std::string node,
                          const std::vector<std::pair<std::string, std::string>>& string_fields) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "{{\"t\":{},\"kind\":", t);
  append_json_string(out, kind);
  if (!node.empty()) {
    fmt::format_to(std::back_inserter(out), ",\"node\":");
    append_json_string(out, node);
  }
  for (const auto& [key, value] : string_fields) {
    out.push_back(',');
    append_json_string(out, key);
    out.push_back(':');
    append_json_string(out, value);
  }
  out.push_back('}');
  return parse_trace_line(fmt::to_string(out), "(made by faultline)", 1);
}

}  // namespace faultline::view

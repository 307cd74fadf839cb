// Test support: one line of a faultline trace (docs/trace-format.md) read
// back as its keys and values, in order. A trace line is a flat JSON object
// of strings and integers, so this reads exactly that and throws on anything
// else (a nested value, a missing quote), which a test reports as a bad line.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace faultline::test {

using TraceLine = std::vector<std::pair<std::string, std::string>>;  // key, value (strings unescaped)

inline TraceLine parse_trace_line(const std::string& line) {
  TraceLine out;
  std::size_t i = 0;
  auto fail = [&](const char* what) { throw std::runtime_error(std::string(what) + " at column " + std::to_string(i + 1) + ": " + line); };
  auto expect = [&](char c) {
    if (i >= line.size() || line[i] != c) fail("expected a different character");
    ++i;
  };
  auto string = [&] {
    expect('"');
    std::string s;
    while (i < line.size() && line[i] != '"') {
      if (line[i] == '\\') {
        if (++i >= line.size()) fail("unfinished escape");
        const char e = line[i];
        if (e == 'u') {  // \u00XX: control characters only, as the writer escapes them
          if (i + 4 >= line.size()) fail("short \\u escape");
          s.push_back(static_cast<char>(std::stoi(line.substr(i + 1, 4), nullptr, 16)));
          i += 4;
        } else {
          s.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e);
        }
      } else {
        s.push_back(line[i]);
      }
      ++i;
    }
    expect('"');
    return s;
  };
  expect('{');
  while (i < line.size() && line[i] != '}') {
    if (!out.empty()) expect(',');
    std::string key = string();
    expect(':');
    std::string value;
    if (i < line.size() && line[i] == '"') {
      value = string();
    } else {
      const std::size_t start = i;
      if (i < line.size() && line[i] == '-') ++i;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
      if (i == start) fail("expected a string or an integer");
      value = line.substr(start, i - start);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  expect('}');
  if (i != line.size()) fail("text after the object");
  return out;
}

inline const std::string* find_key(const TraceLine& line, const std::string& key) {
  for (const auto& [k, v] : line)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace faultline::test

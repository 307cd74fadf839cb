// Reading a faultline trace (JSON Lines, docs/trace-format.md) back for the
// viewer and the Chrome trace export.
//
// Every line must be one JSON object with an integer `t` >= 0 that never goes
// back in time and a string `kind`; `node`, when present, is a string. Other
// keys are kept as written (their JSON text), so fields added to the trace
// later reach the viewer without changes here. A file that breaks a rule (not
// JSON, truncated mid-line, another tool's JSON Lines) is refused with a
// ScenarioError naming the file, the line and the column: exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::view {

struct TraceField {
  std::string key;
  std::string json;                 // the value as written: "\"n1\"", "42", "true", "{...}"
  std::optional<std::string> text;  // the decoded value when it is a JSON string
};

struct TraceLine {
  std::int64_t t = 0;  // virtual ns
  std::string kind;
  std::string node;                 // "" when absent (network-wide faults)
  std::vector<TraceField> fields;   // every key, `t` `kind` `node` included, in file order
  std::string json;                 // the line itself, without its newline

  const TraceField* field(std::string_view key) const;
  // The field as a string (a JSON string, or a number's text); "" when absent.
  std::string string_field(std::string_view key) const;
  // The field as an integer when it is one.
  std::optional<std::int64_t> int_field(std::string_view key) const;
};

// Any one JSON object (spaces and newlines allowed around its parts), checked
// strictly; its top-level keys with their values' texts. Throws ScenarioError.
std::vector<TraceField> parse_json_object(std::string_view text, const std::string& file, int line_number);

// Parses one line; `where` names it in errors ("FILE:LINE"). Throws ScenarioError.
TraceLine parse_trace_line(std::string_view line, const std::string& file, int line_number);

// The whole trace; throws ScenarioError (bad content) naming file and line.
std::vector<TraceLine> read_trace_text(std::string_view text, const std::string& file);
// Reads the file; a file that cannot be opened is a ScenarioError too.
std::vector<TraceLine> read_trace_file(const std::string& path);

// A line made here rather than read (e.g. the run's violation), from fields
// given as JSON texts; `t`, `kind` and `node` come first.
TraceLine make_trace_line(std::int64_t t, std::string kind, std::string node,
                          const std::vector<std::pair<std::string, std::string>>& string_fields);

}  // namespace faultline::view

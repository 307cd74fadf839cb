// Reading a trace back (sim/view/trace_reader.hpp): every field kept, and a
// file that is not a whole faultline trace refused with its line number.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/scenario_error.hpp"
#include "sim/view/trace_reader.hpp"

using namespace faultline;
using namespace faultline::view;

namespace {

// The error's text ("FILE:LINE:COL: KEY: WHAT") for a trace given as text.
std::string error_of(const std::string& text) {
  try {
    read_trace_text(text, "t.jsonl");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("trace reader: keeps every field of a line, known or not, with its JSON text") {
  const auto lines = read_trace_text(
      "{\"t\":0,\"kind\":\"start\",\"node\":\"n0\",\"term\":0,\"log\":0}\n"
      "{\"t\":185137319,\"kind\":\"send\",\"node\":\"n2\",\"to\":\"n0\",\"type\":\"request_vote\",\"bytes\":32,"
      "\"id\":0,\"granted\":true,\"entries\":[1,2],\"details\":\"a \\\"quoted\\\" \\u00e9 </script>\"}\n"
      "{\"t\":185137319,\"kind\":\"fault\",\"fault\":\"heal\",\"cause\":\"nemesis\"}\n",
      "t.jsonl");
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].t == 185137319);
  CHECK(lines[1].kind == "send");
  CHECK(lines[1].node == "n2");
  CHECK(lines[1].string_field("to") == "n0");
  CHECK(lines[1].int_field("id") == 0);
  CHECK(lines[1].int_field("bytes") == 32);
  CHECK(lines[1].field("granted")->json == "true");
  CHECK(lines[1].field("entries")->json == "[1,2]");
  CHECK(lines[1].string_field("details") == "a \"quoted\" \xc3\xa9 </script>");
  CHECK(lines[1].fields.size() == 10);
  CHECK(lines[2].node.empty());  // a network-wide fault names no node
  CHECK(lines[2].json == "{\"t\":185137319,\"kind\":\"fault\",\"fault\":\"heal\",\"cause\":\"nemesis\"}");
}

TEST_CASE("trace reader: a truncated trace is refused at the line where it breaks") {
  const std::string two = "{\"t\":0,\"kind\":\"start\",\"node\":\"n0\"}\n{\"t\":5,\"kind\":\"start\",\"node\":\"n1\"}\n";
  // Cut inside a string of line 3, and cut after a whole object with no newline.
  CHECK(error_of(two + "{\"t\":9,\"kind\":\"sen") ==
        "t.jsonl:3:19: the line ends inside a string (a truncated trace?)");
  CHECK(error_of(two + "{\"t\":9,\"kind\":\"send\"}") == "t.jsonl:3:22: the last line has no newline: a truncated trace");
  CHECK(error_of(two + "{\"t\":9,\"kind\":\"send\",\"id\":") ==
        "t.jsonl:3:27: the line ends inside a JSON value (a truncated trace?)");
}

TEST_CASE("trace reader: a file that is not a faultline trace is refused with its line") {
  CHECK(error_of("") == "t.jsonl: empty: a faultline trace has at least one event");
  CHECK(error_of("# faultline\n") == "t.jsonl:1:1: not a JSON object (a faultline trace has one object per line)");
  CHECK(error_of("{\"t\":0,\"kind\":\"start\"}\n{\"time\":1,\"event\":\"x\"}\n") ==
        "t.jsonl:2:1: t: missing: not a faultline trace (every line has an integer `t` and a string `kind`, "
        "docs/trace-format.md)");
  CHECK(error_of("{\"t\":1.5,\"kind\":\"start\"}\n") == "t.jsonl:1:1: t: expected virtual nanoseconds >= 0, got 1.5");
  CHECK(error_of("{\"t\":0,\"kind\":7}\n") == "t.jsonl:1:1: kind: expected a non-empty string, got 7");
  CHECK(error_of("{\"t\":0,\"kind\":\"x\",\"node\":3}\n") == "t.jsonl:1:1: node: expected a node name (a string), got 3");
  CHECK(error_of("{\"t\":5,\"kind\":\"a\"}\n{\"t\":4,\"kind\":\"b\"}\n") ==
        "t.jsonl:2:1: t: time goes back (4 after 5): not a faultline trace, or lines out of order");
  CHECK(error_of("{\"t\":0,\"kind\":\"a\"} x\n") == "t.jsonl:1:20: text after the JSON object");
  CHECK(error_of("{\"t\":0,\"kind\":\"a\",\"v\":01}\n") == "t.jsonl:1:24: expected '}', found '1'");
}

// UTF-8 and one-document checks on scenario text (issue 10): a name that is
// not UTF-8 used to reach --json as invalid JSON, and a second document after
// `---` was silently ignored.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/loader_errors.hpp"
#include "sim/scenario/yaml_text_checks.hpp"

using namespace faultline;

namespace {

using faultline::test::error_of;

}  // namespace

TEST_CASE("first_invalid_utf8 accepts well-formed UTF-8 and finds the first byte of anything else") {
  CHECK_FALSE(first_invalid_utf8(""));
  CHECK_FALSE(first_invalid_utf8("plain ascii"));
  CHECK_FALSE(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));  // é € 😀 U+10FFFF
  CHECK(first_invalid_utf8("caf\xFF") == 3u);
  CHECK(first_invalid_utf8("ab\x80") == 2u);               // a continuation byte alone
  CHECK(first_invalid_utf8("\xC0\xAF") == 0u);             // overlong '/'
  CHECK(first_invalid_utf8("\xE0\x80\xAF") == 0u);         // overlong, three bytes
  CHECK(first_invalid_utf8("x\xED\xA0\x80") == 1u);        // U+D800, a surrogate
  CHECK(first_invalid_utf8("\xF4\x90\x80\x80") == 0u);     // above U+10FFFF
  CHECK(first_invalid_utf8("ok\xE2\x82") == 2u);           // cut short at the end
  CHECK(first_invalid_utf8("\xC3(") == 0u);                // a lead byte without its continuation
}

TEST_CASE("a scenario that is not UTF-8 anywhere is refused at the byte's line and column") {
  const std::string base = "protocol: heartbeat\nnodes: 3\n";
  CHECK(error_of(base + "name: caf\xFF\n") ==
        "s.yaml:3:10: the file is not UTF-8: byte 0xFF here does not start or continue a UTF-8 character");
  CHECK(error_of("# comment \xC0\xAF\n" + base).rfind("s.yaml:1:11: the file is not UTF-8", 0) == 0);
  CHECK(error_of(base + "name: caf\xC3\xA9\n") == "no error");
  // An override brings text too.
  CHECK(error_of(base, {"name=caf\xFF"}).find("the override is not UTF-8") != std::string::npos);
  CHECK_THROWS_AS(parse_override("description=\xED\xA0\x80"), ScenarioError);
}

TEST_CASE("anything after a second document marker is an error at the marker's line") {
  const std::string base = "protocol: heartbeat\nnodes: 3\n";
  CHECK(error_of(base + "---\nnodes: 5\n") ==
        "s.yaml:3:1: a second YAML document starts here (after '---' or '...'); a scenario is one document");
  CHECK(error_of(base + "---\n").rfind("s.yaml:3:1: a second YAML document", 0) == 0);      // even an empty one
  CHECK(error_of(base + "...\nnodes: 5\n").rfind("s.yaml:4:1: a second YAML document", 0) == 0);
  // One document, with its optional markers, is fine.
  CHECK(error_of("---\n" + base) == "no error");
  CHECK(error_of("---\n" + base + "...\n") == "no error");
  CHECK(error_of(base + "# ---\n") == "no error");
  CHECK(error_of(base + "description: |\n  a --- b\n") == "no error");
  // A syntax error in the second document is still an error.
  CHECK(error_of(base + "---\n[unclosed\n").rfind("s.yaml:", 0) == 0);
  // And in a --set value.
  CHECK(error_of(base, {"description=a\n---\nb"}).find("--set description=") == 0);
}

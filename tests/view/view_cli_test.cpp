// `faultline view` and `run --html/--chrome-trace` as a user meets them: a
// bad trace is exit 2 with its line; an existing file is never replaced
// without --force; the page is one self-contained file with the whole trace
// and the run's violation in it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/run_binary.hpp"

using namespace faultline;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("view: a truncated trace or another file is exit 2 naming the line, and writes nothing") {
  const std::string trace = test::temp_path("cut.jsonl"), html = test::temp_path("cut.html");
  write(trace, "{\"t\":0,\"kind\":\"start\",\"node\":\"n0\"}\n{\"t\":3,\"kind\":\"send\",\"node\":\"n0\",\"to\":\"n1\",\"ty");
  auto r = test::run_binary("view '" + trace + "' -o '" + html + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "error: " + trace + ":2:47: the line ends inside a string (a truncated trace?)\n");
  CHECK_FALSE(std::filesystem::exists(html));

  r = test::run_binary("view README.md -o '" + html + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "error: README.md:1:1: not a JSON object (a faultline trace has one object per line)\n");
  CHECK_FALSE(std::filesystem::exists(html));

  r = test::run_binary("view '" + trace + "'");
  CHECK(r.code == 2);
  CHECK(r.err.find("nothing to write") != std::string::npos);
  std::filesystem::remove(trace);
}

TEST_CASE("view and run --html: an existing output file is kept unless --force") {
  const std::string trace = test::temp_path("ok.jsonl"), html = test::temp_path("ok.html"),
                    chrome = test::temp_path("ok.json");
  write(trace, "{\"t\":0,\"kind\":\"start\",\"node\":\"n0\"}\n");
  write(html, "keep me");
  write(chrome, "keep me too");
  auto r = test::run_binary("view '" + trace + "' -o '" + html + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "error: -o: '" + html + "' exists; add --force to replace it\n");
  CHECK(test::slurp_file(html) == "keep me");
  r = test::run_binary("run scenarios/heartbeat/crash_detection.yaml --chrome-trace '" + chrome + "'");
  CHECK(r.code == 2);  // refused before the run
  CHECK(r.out.empty());
  CHECK(test::slurp_file(chrome) == "keep me too");

  r = test::run_binary("view '" + trace + "' -o '" + html + "' --chrome-trace '" + chrome + "' --force");
  CHECK(r.code == 0);
  CHECK(test::slurp_file(html).rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(test::slurp_file(chrome).rfind("{\"displayTimeUnit\"", 0) == 0);
  for (const auto& p : {trace, html, chrome}) std::filesystem::remove(p);
}

TEST_CASE("run --html: one offline page holding every trace line and the run's violation") {
  const std::string html = test::temp_path("mutant.html"), trace = test::temp_path("mutant.jsonl");
  const auto r = test::run_binary("run scenarios/raft/nemesis.yaml --seed 1 --set params.mutant=no_election_restriction "
                                  "--trace '" + trace + "' --html '" + html + "'");
  REQUIRE(r.code == 1);
  const std::string page = test::slurp_file(html), lines = test::slurp_file(trace);
  // Self-contained: no URL to load, no placeholder left, the script and style inline.
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("href=") == std::string::npos);
  CHECK(page.find("@FAULTLINE_") == std::string::npos);
  CHECK(page.find("@VIEWER_") == std::string::npos);
  CHECK(page.find("<title>faultline · raft-nemesis · raft · seed 1 · FAILED</title>") != std::string::npos);
  CHECK(count(page, "</script>") == 2);  // the data and the viewer
  // Every line of the trace, the violation among them (the trace has it, so
  // the page does not add the run's a second time).
  CHECK(count(page, "{\"t\":") == count(lines, "{\"t\":"));
  CHECK(count(page, "\"kind\":\"violation\",\"node\":\"n2\",\"checker\":\"leader_completeness\"") == 1);
  CHECK(count(lines, "\"kind\":\"violation\"") == 1);
  std::filesystem::remove(html);
  std::filesystem::remove(trace);
}

TEST_CASE("view: text in the trace can never close the page's script") {
  const std::string trace = test::temp_path("script.jsonl"), html = test::temp_path("script.html");
  write(trace, "{\"t\":0,\"kind\":\"violation\",\"node\":\"n0\",\"details\":\"</script><!-- <script>alert(1)\"}\n");
  REQUIRE(test::run_binary("view '" + trace + "' -o '" + html + "'").code == 0);
  const std::string page = test::slurp_file(html);
  CHECK(count(page, "</script>") == 2);
  CHECK(count(page, "<!--") == 1);  // the page's own comment on #render-summary
  CHECK(page.find("\"details\":\"\\u003c/script>\\u003c!-- \\u003cscript>alert(1)\"") != std::string::npos);
  std::filesystem::remove(trace);
  std::filesystem::remove(html);
}

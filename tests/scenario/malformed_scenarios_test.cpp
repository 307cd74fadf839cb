// Every file in tests/malformed/ is one kind of mistake. Its header names what
// the error must say and where:
//
//   # expect: <a fragment the message must contain>
//   # line: <the 1-based line the error must point at>
//
// Each must make the loader throw ScenarioError (never anything else) whose
// what() is "FILE:LINE:COL: KEY: MESSAGE" with that line and fragment.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "/work/main"
#endif

using namespace faultline;
namespace fs = std::filesystem;

namespace {

struct Expected {
  std::string fragment;  // from "# expect:"
  std::string line;      // from "# line:"
};

// The value after `prefix` on the first line that starts with it, trimmed.
std::string header_value(const fs::path& file, const std::string& prefix) {
  std::ifstream in(file);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind(prefix, 0) != 0) continue;
    std::string v = l.substr(prefix.size());
    v.erase(0, v.find_first_not_of(' '));
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
    return v;
  }
  return "";
}

std::vector<fs::path> malformed_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / "tests" / "malformed"))
    if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());  // directory order is unspecified
  return out;
}

}  // namespace

TEST_CASE("every malformed scenario fails with its expected message at its expected line") {
  const auto files = malformed_files();
  REQUIRE(files.size() >= 20);
  for (const auto& file : files) {
    CAPTURE(file.filename().string());
    const Expected want{header_value(file, "# expect:"), header_value(file, "# line:")};
    REQUIRE_MESSAGE(!want.fragment.empty(), "missing '# expect:' header");
    REQUIRE_MESSAGE(!want.line.empty(), "missing '# line:' header");
    std::string what = "no error";
    try {
      load_scenario_file(file.string());
    } catch (const ScenarioError& e) {
      what = e.what();
      CHECK(e.where().line == std::stoi(want.line));
      CHECK(e.where().column >= 1);
    }
    CAPTURE(what);
    CHECK(what.rfind(file.string() + ":" + want.line + ":", 0) == 0);
    CHECK(what.find(want.fragment) != std::string::npos);
  }
}

TEST_CASE("a file that does not exist is a ScenarioError without a line") {
  try {
    load_scenario_file("/nonexistent/dir/missing.yaml");
    FAIL("expected an error");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/dir/missing.yaml: no such file");
    CHECK(e.where().line == 0);
  }
}

// Every file in tests/malformed/ is one kind of mistake. Its header names what
// the error must say and where:
//
//   # expect: <a fragment the message must contain>
//   # line: <the 1-based line the error must point at>
//
// Each must make the loader throw ScenarioError (never anything else) whose
// what() is "FILE:LINE:COL: KEY: MESSAGE" with that line and fragment.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

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

TEST_CASE("a file is checked for size and kind before any of it is read") {
  const auto error_of = [](const std::string& path) -> std::string {
    try {
      read_scenario_file(path);
    } catch (const ScenarioError& e) {
      CHECK(e.where().line == 0);
      return e.what();
    }
    return "no error";
  };
  // 10 GB (sparse): refused with the size from the file system, not read.
  const fs::path big = fs::temp_directory_path() / ("faultline-big-" + std::to_string(::getpid()) + ".yaml");
  { std::ofstream(big) << "protocol: heartbeat\n"; }
  fs::resize_file(big, 10ULL << 30);
  CHECK(error_of(big.string()) == big.string() + ": larger than 64 MiB (10737418240 bytes): not a scenario");
  // Exactly 64 MiB is read (and is then a YAML question, not a size one).
  fs::resize_file(big, 64ULL << 20);
  CHECK(read_scenario_file(big.string()).size() == (64u << 20));
  fs::remove(big);

  CHECK(error_of("/dev/zero") == "/dev/zero: not a regular file");
  CHECK(error_of(fs::temp_directory_path().string()) ==
        fs::temp_directory_path().string() + ": not a regular file (a directory)");
  // A FIFO with no writer: opening must not wait for one.
  const fs::path fifo = fs::temp_directory_path() / ("faultline-fifo-" + std::to_string(::getpid()));
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(error_of(fifo.string()) == fifo.string() + ": not a regular file");
  fs::remove(fifo);
}

// Replays the fuzzer's seed corpus and every crash input it has found
// (tests/fuzz/) through the normal binary: `faultline validate` must answer
// each with 0 (valid) or 2 (bad input), never a signal, 3 (internal error) or
// 4 (out of memory). An input's "#--set" lines become --set options, as the
// fuzz target (tests/fuzz/scenario_loader_fuzz.cpp) reads them.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/run_binary.hpp"

namespace fs = std::filesystem;
using faultline::test::BinaryRun;
using faultline::test::run_binary;
using faultline::test::slurp_file;
using faultline::test::temp_path;

namespace {

std::vector<fs::path> inputs_in(const std::string& dir) {
  std::vector<fs::path> out;
  const fs::path root = fs::path(FAULTLINE_SOURCE_DIR) / dir;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// 'text' quoted for sh.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The scenario part goes to a file; each override line after "#--set" to --set.
BinaryRun validate_input(const fs::path& input) {
  const std::string text = slurp_file(input.string());
  const std::string marker = "\n#--set\n";
  const auto at = text.find(marker);
  if (at == std::string::npos) return run_binary("validate " + quoted(input.string()));
  const std::string scenario = temp_path("replay.yaml");
  {
    std::ofstream out(scenario, std::ios::binary);
    out << text.substr(0, at);
  }
  std::string args = "validate " + quoted(scenario);
  std::string rest = text.substr(at + marker.size());
  for (std::size_t start = 0; start < rest.size();) {
    const auto end = std::min(rest.find('\n', start), rest.size());
    const std::string line = rest.substr(start, end - start);
    if (!line.empty()) args += " --set " + quoted(line);
    start = end + 1;
  }
  const BinaryRun r = run_binary(args);
  fs::remove(scenario);
  return r;
}

void replay(const std::vector<fs::path>& inputs) {
  for (const auto& input : inputs) {
    CAPTURE(input.string());
    const BinaryRun r = validate_input(input);
    CAPTURE(r.err);
    CHECK(r.signal == 0);
    CHECK((r.code == 0 || r.code == 2));
  }
}

}  // namespace

// The fuzzer also seeds from scenarios/ and tests/malformed/ (scripts/fuzz.sh).
// Those files go through `faultline validate` in tests/cli/cli_test.cpp, held
// to more than 0 or 2 there: exit 0 for every shipped scenario, exit 2 naming
// the file and line for every malformed one. So only the seeds of their own
// are replayed here (164 sanitized processes were 31 s of CI for nothing new).
TEST_CASE("the fuzzer's own seed corpus replays through faultline validate with exit 0 or 2") {
  const auto inputs = inputs_in("tests/fuzz/corpus");
  REQUIRE(inputs.size() >= 3);
  replay(inputs);
}

TEST_CASE("every crash input the fuzzer found replays through faultline validate with exit 0 or 2") {
  const auto crashes = inputs_in("tests/fuzz/crashes");
  REQUIRE(!crashes.empty());
  replay(crashes);
}

// protocols/ must stay sans-IO and deterministic: no sim/ includes, real
// clocks, global randomness, threads, files, sockets or environment. This test
// scans every file under protocols/ and fails naming the file and line.
//
// A protocol's binding/ folder (protocols/<p>/binding/: the binding, the
// protocol struct, the observer) is simulator-side code kept next to the
// protocol: it may include sim/, and nothing outside a binding/ folder may
// include it. protocols/all_protocols.cpp, the list of the bindings, is
// simulator-side too.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "."
#endif

namespace {

struct Rule {
  const char* what;
  std::regex pattern;
  bool simulator_side_may = false;  // allowed in a simulator-side file (see simulator_side)
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = {
      {"includes the simulator", std::regex(R"(#\s*include\s*[<"]sim/)"), true},
      {"includes a binding", std::regex(R"(#\s*include\s*[<"]protocols/[^">]*/binding/)"), true},
      {"reads a real clock", std::regex(R"(std::chrono|<chrono>|\bclock_gettime\b|\bgettimeofday\b|\btime\s*\(\s*(NULL|nullptr|0)\s*\))")},
      {"uses global randomness", std::regex(R"(\brand\s*\(|\bsrand\s*\(|random_device|<random>|std::mt19937)")},
      {"uses threads", std::regex(R"(<thread>|std::thread|<mutex>|<atomic>|<future>|pthread)")},
      {"does I/O", std::regex(R"(<fstream>|<iostream>|<cstdio>|\bfopen\s*\(|\bprintf\s*\(|std::cout|std::cerr|<filesystem>)")},
      {"uses sockets", std::regex(R"(<sys/socket\.h>|<netinet/|<arpa/inet\.h>|\bsocket\s*\()")},
      {"reads the environment", std::regex(R"(\bgetenv\s*\(|\bsleep\s*\(|\busleep\s*\()")},
  };
  return r;
}

// Simulator-side files under protocols/: binding/ folders and the list of
// bindings. `relative` is the path below protocols/, with '/' separators.
bool simulator_side(const std::string& relative) {
  static const std::regex binding(R"(^[^/]+/binding/[^/]+$)");
  return std::regex_match(relative, binding) || relative == "all_protocols.cpp";
}

// Violations in `text`, as "line N: what: the line". In a simulator-side
// file, including sim/ (and another binding) is allowed; the rest holds.
std::vector<std::string> violations_in(const std::string& text, bool simulator_side_file = false) {
  std::vector<std::string> out;
  std::size_t line_no = 0, start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    ++line_no;
    const auto comment = line.find("//");
    const std::string code = comment == std::string::npos ? line : line.substr(0, comment);
    for (const auto& r : rules()) {
      if (simulator_side_file && r.simulator_side_may) continue;
      if (std::regex_search(code, r.pattern)) out.push_back("line " + std::to_string(line_no) + ": " + r.what + ": " + line);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("the rule scanner catches each kind of violation") {
  CHECK(violations_in("#include \"sim/simulation.hpp\"").size() == 1);
  CHECK(violations_in("auto t = std::chrono::steady_clock::now();").size() == 1);
  CHECK(violations_in("int x = rand();").size() == 1);
  CHECK(violations_in("std::random_device rd;").size() == 1);
  CHECK(violations_in("std::thread t(f);").size() == 1);
  CHECK(violations_in("#include <fstream>").size() == 1);
  CHECK(violations_in("int s = socket(AF_INET, SOCK_STREAM, 0);").size() == 1);
  CHECK(violations_in("auto h = getenv(\"HOME\");").size() == 1);
  CHECK(violations_in("host.rng().below(3); // not rand() in a comment").empty());
  CHECK(violations_in("Time now = host.now();").empty());
  // Outside a binding/ folder, a binding is as off-limits as sim/ itself.
  CHECK(violations_in("#include \"protocols/raft/binding/raft_protocol.hpp\"").size() == 1);
  CHECK(violations_in("#include \"protocols/raft/raft_node.hpp\"").empty());
  // In one, both are allowed, and the other rules still hold.
  CHECK(violations_in("#include \"sim/simulation.hpp\"", true).empty());
  CHECK(violations_in("#include \"protocols/raft/binding/raft_observer.hpp\"", true).empty());
  CHECK(violations_in("auto t = std::chrono::steady_clock::now();", true).size() == 1);
}

TEST_CASE("simulator-side files under protocols/ are the binding/ folders and the list of bindings") {
  CHECK(simulator_side("raft/binding/raft_binding.cpp"));
  CHECK(simulator_side("gossip/binding/swim_observer.cpp"));
  CHECK(simulator_side("all_protocols.cpp"));
  CHECK_FALSE(simulator_side("raft/raft_node.hpp"));
  CHECK_FALSE(simulator_side("raft/binding/nested/x.hpp"));  // one level: protocols/<p>/binding/<file>
  CHECK_FALSE(simulator_side("raft/all_protocols.cpp"));
  CHECK_FALSE(simulator_side("binding/x.cpp"));
}

TEST_CASE("no file under protocols/ breaks the sans-IO rules") {
  const std::filesystem::path root = std::filesystem::path(FAULTLINE_SOURCE_DIR) / "protocols";
  REQUIRE(std::filesystem::exists(root));
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension().string();
    if (ext != ".hpp" && ext != ".cpp" && ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string relative = std::filesystem::relative(entry.path(), root).generic_string();
    for (const auto& v : violations_in(text, simulator_side(relative))) FAIL_CHECK(entry.path().string() << ": " << v);
  }
  CHECK(files >= 5);
}

TEST_CASE("test names stay usable as ctest names (no semicolon, which CMake splits on)") {
  const std::filesystem::path root = std::filesystem::path(FAULTLINE_SOURCE_DIR) / "tests";
  const std::regex bad(R"(TEST_CASE\("[^"]*;)");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
      if (std::regex_search(line, bad)) FAIL_CHECK(entry.path().string() << ":" << n << ": " << line);
  }
}

// Bad input at the command line, as a user meets it: every case exits 2 with
// a message naming what is wrong (the file, the --set or the option), never a
// signal, a hang or a silently changed run. Issue 10.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/run_binary.hpp"

namespace fs = std::filesystem;
using faultline::test::BinaryRun;
using faultline::test::run_binary;
using faultline::test::temp_path;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string write_temp(const char* name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("a workload with no value validates and runs as no workload, for raft and multipaxos") {
  for (const char* protocol : {"raft", "multipaxos"}) {
    CAPTURE(protocol);
    const std::string file = write_temp("w.yaml", std::string("protocol: ") + protocol + "\nnodes: 3\nworkload:\n");
    const BinaryRun v = run_binary("validate '" + file + "'");
    CHECK(v.signal == 0);
    CHECK(v.code == 0);
    const BinaryRun r = run_binary("run '" + file + "' --set duration=1s");
    CHECK(r.signal == 0);
    CHECK(r.code == 0);
    const BinaryRun set_null = run_binary("validate scenarios/compare/leader_crash.yaml --set protocol=" +
                                          std::string(protocol) + " --set workload=null");
    CHECK(set_null.signal == 0);
    CHECK(set_null.code == 0);
    fs::remove(file);
  }
}

TEST_CASE("a 10 GB scenario file is refused by its size, without reading it, in 1 GB of address space") {
  const std::string big = temp_path("big.yaml");
  { std::ofstream(big) << "protocol: heartbeat\nnodes: 3\n"; }
  fs::resize_file(big, 10ULL << 30);  // sparse
  const BinaryRun v = run_binary("validate '" + big + "'", "ulimit -v 1048576 &&");
  fs::remove(big);
  CHECK(v.signal == 0);
  CHECK(v.code == 2);
  CHECK(contains(v.err, big + ": larger than 64 MiB (10737418240 bytes): not a scenario"));
  for (const char* special : {"/dev/zero", "/dev/null"}) {
    const BinaryRun d = run_binary(std::string("validate ") + special);
    CHECK(d.code == 2);
    CHECK(contains(d.err, std::string(special) + ": not a regular file"));
  }
  CHECK(run_binary("run /tmp").code == 2);
}

// Test support: run the built faultline binary through the shell, from the
// source directory, and collect its exit status and output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/heartbeat_runs.hpp"

#ifndef FAULTLINE_BINARY
#define FAULTLINE_BINARY "build/faultline"
#endif

namespace faultline::test {

struct BinaryRun {
  int code = -1;    // the exit code, or -1 when it did not exit
  int signal = 0;   // the signal that ended it, or 0
  std::string out, err;
};

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs `prefix 'faultline' args` (args already shell-quoted; prefix e.g.
// "ulimit -v 1000000 &&" or "trap '' XFSZ; ulimit -f 64;"). The shell execs
// faultline, so a signal that ends it is seen as a signal (a shell that did
// not exec would report 128 + N). `stdout_to` sends stdout to that file
// instead of capturing it (e.g. "/dev/full"; `out` is then empty).
inline BinaryRun run_binary(const std::string& args, const std::string& prefix = "",
                            const std::string& stdout_to = "") {
  const std::string out = temp_path("stdout"), err = temp_path("stderr");
  const std::string cmd = "cd '" FAULTLINE_SOURCE_DIR "' && " + prefix + " exec '" FAULTLINE_BINARY "' " + args +
                          " >'" + (stdout_to.empty() ? out : stdout_to) + "' 2>'" + err + "' </dev/null";
  const int status = std::system(cmd.c_str());
  BinaryRun r;
  if (WIFEXITED(status)) {
    r.code = WEXITSTATUS(status);
    if (r.code > 128) r.signal = r.code - 128, r.code = -1;
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  if (stdout_to.empty()) r.out = slurp_file(out);
  r.err = slurp_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace faultline::test

// The faultline binary run as a child process, as a user or a script meets it:
// through a shell (for redirections and limits), or spawned directly with
// pipes (to watch its progress and send it signals).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/run_binary.hpp"

namespace faultline::test {

struct ProcessOutput {
  int code = -1;  // the exit code; -1 if it was killed by a signal
  std::string out, err;
};

// `shell_prefix` runs first in the same shell (e.g. "ulimit -f 64;");
// `stdout_to` replaces the captured stdout (e.g. "/dev/full").
inline ProcessOutput run_faultline_shell(const std::string& args, const std::string& shell_prefix = "",
                                         const std::string& stdout_to = "") {
  const BinaryRun r = run_binary(args, shell_prefix, stdout_to);
  return ProcessOutput{r.code, r.out, r.err};
}

// faultline started directly (no shell, so `pid` is faultline's own) from the
// source directory, its stdout and stderr on pipes.
class FaultlineChild {
 public:
  explicit FaultlineChild(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (::pipe(out) != 0 || ::pipe(err) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::close(out[0]);
      ::close(err[0]);
      ::close(out[1]);
      ::close(err[1]);
      if (::chdir(FAULTLINE_SOURCE_DIR) != 0) ::_exit(126);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(FAULTLINE_BINARY));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(FAULTLINE_BINARY, argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    ::fcntl(out[0], F_SETFD, FD_CLOEXEC);  // not inherited by the next child
    ::fcntl(err[0], F_SETFD, FD_CLOEXEC);
    out_ = out[0];
    err_ = err[0];
  }
  ~FaultlineChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
    ::close(err_);
  }
  FaultlineChild(const FaultlineChild&) = delete;
  FaultlineChild& operator=(const FaultlineChild&) = delete;

  // Reads stderr until it holds `text` at least `times` times (true) or
  // ends (false); what was read stays in err().
  bool wait_for_stderr(const std::string& text, int times = 1) {
    while (occurrences(err_text_, text) < times)
      if (!read_some(err_, err_text_)) return false;
    return true;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Reads both pipes to their ends and waits for the exit.
  ProcessOutput finish() {
    // Both pipes at once: a child blocked writing one must not wait for us
    // to drain the other.
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
      pollfd fds[2] = {{out_open ? out_ : -1, POLLIN, 0}, {err_open ? err_ : -1, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[0].revents != 0) out_open = read_some(out_, out_text_);
      if (fds[1].revents != 0) err_open = read_some(err_, err_text_);
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out_text_, err_text_};
  }
  const std::string& err() const { return err_text_; }

 private:
  static int occurrences(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  static bool read_some(int fd, std::string& into) {
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return false;
    into.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
  std::string out_text_, err_text_;
};

}  // namespace faultline::test

#include "sim/io/interrupts.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include <fmt/format.h>

#include "sim/io/output_file.hpp"

namespace faultline {

namespace {

std::stop_source& stop_source() {
  static std::stop_source source;
  return source;
}
std::atomic<int> received{0};
std::atomic<bool> graceful{false};

void say(const std::string& line) {
  for (std::size_t at = 0; at < line.size();) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + at, line.size() - at);
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

void wait_for_signals(sigset_t set) {
  for (;;) {
    int signal = 0;
    if (::sigwait(&set, &signal) != 0) continue;
    int none = 0;
    received.compare_exchange_strong(none, signal);
    if (graceful.load() && !stop_source().stop_requested()) {
      say(fmt::format("\nfaultline: {}: no more seeds are started; the runs in progress finish, then the summary "
                      "(send it again to abandon them)\n",
                      signal_name(signal)));
      stop_source().request_stop();
      continue;
    }
    remove_temporary_output_files();
    say(fmt::format("\nfaultline: interrupted by {}\n", signal_name(signal)));
    ::_exit(interrupted_exit_code(signal));
  }
}

}  // namespace

void watch_interrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(wait_for_signals, set).detach();
}

std::stop_token interrupt_token() { return stop_source().get_token(); }
int interrupt_signal() { return received.load(); }

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

GracefulInterrupts::GracefulInterrupts() { graceful = true; }
GracefulInterrupts::~GracefulInterrupts() { graceful = false; }

}  // namespace faultline

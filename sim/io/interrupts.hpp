// SIGINT and SIGTERM for the whole process: exit code 128 + the signal
// (130 for SIGINT, 143 for SIGTERM; docs/exit-codes.md).
//
// watch_interrupts() blocks both signals in the calling thread and starts one
// thread that waits for them (sigwait), so no code runs in a signal handler.
// Call it in main before any other thread starts: threads inherit the mask.
//
// By default a signal ends the process at once: every temporary output file
// is removed (sim/io/output_file.hpp), a line goes to stderr, and the exit
// code is 128 + the signal. Inside a GracefulInterrupts scope (sweep,
// compare) the first signal only requests a stop through interrupt_token():
// the command hands out no more seeds, lets the runs in progress finish, and
// prints what completed; a second signal ends the process as above.
#pragma once

#include <stop_token>

namespace faultline {

void watch_interrupts();

// Stop is requested by the first signal inside a GracefulInterrupts scope.
std::stop_token interrupt_token();
// The signal that requested the stop, 0 if none.
int interrupt_signal();
// 128 + signal: the shell's convention for a process ended by a signal.
inline int interrupted_exit_code(int signal) { return 128 + signal; }
// "SIGINT", "SIGTERM".
const char* signal_name(int signal);

class GracefulInterrupts {
 public:
  GracefulInterrupts();
  ~GracefulInterrupts();
  GracefulInterrupts(const GracefulInterrupts&) = delete;
  GracefulInterrupts& operator=(const GracefulInterrupts&) = delete;
};

}  // namespace faultline

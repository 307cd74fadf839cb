// OutputFile: how faultline writes a file the user named (--trace, --history).
//
// The rules, in the order open() applies them (docs/exit-codes.md):
//   - Nothing at PATH: the data goes to a temporary file created exclusively
//     next to it (O_CREAT|O_EXCL|O_NOFOLLOW, a fresh name "PATH.partial.XXXXXX"),
//     which commit() renames to PATH. A symlink planted at a temporary name is
//     never followed: the create fails and another name is tried.
//   - A regular file at PATH: the same, so commit() replaces it atomically; the
//     old file is intact until then. Its permission bits are kept.
//   - Anything else at PATH (a symlink, a device such as /dev/null, a FIFO, a
//     socket) is refused, unless `force`: then a symlink is resolved and its
//     target treated by these rules, and a device, FIFO or socket is written
//     into directly (it is never replaced by a regular file). A directory is
//     always refused.
// Every write, the fsync, the close and the rename are checked; any failure
// throws OutputError naming the path and the reason (strerror), after removing
// the temporary file, so an existing PATH is never touched by a failed write.
//
// Why fsync before the rename: without it a power loss after the rename can
// leave PATH empty where a good old file used to be (the rename reaches the
// disk before the data), and some filesystems (NFS, delayed allocation on a
// full disk) report a write error only at fsync or close.
//
// While a temporary file exists its name is in a process-wide list, so an
// interrupted process (sim/io/interrupts.hpp) can remove it before it exits.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace faultline {

// A file faultline was asked to write could not be written: exit code 5.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What is at a path now, as open() sees it (lstat: a link is a link).
enum class OutputTarget { kAbsent, kRegular, kSymlink, kDirectory, kOther };
OutputTarget output_target(const std::string& path);

// Throws OutputError if open(path, force) would refuse PATH for what is there
// (a check before a long run; open() checks again).
void check_output_target(const std::string& path, bool force, std::string_view option);

class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() { abandon(); }

  // `option` names the flag in messages ("--trace"). Throws OutputError.
  void open(const std::string& path, bool force, std::string_view option);
  bool is_open() const { return fd_ >= 0; }

  // Writes all of `size` bytes (retrying short writes); throws OutputError.
  void write(const char* data, std::size_t size);
  // fsync, close and rename into place; throws OutputError (nothing left behind).
  void commit();
  // Closes and removes the temporary file; PATH is untouched. Never throws.
  void abandon() noexcept;

 private:
  [[noreturn]] void fail(std::string_view what, int error);
  int fd_ = -1;
  std::string path_;       // where the data ends up
  std::string temporary_;  // empty when writing into PATH directly (a device)
  std::string option_;
};

// Removes every temporary file of every OutputFile still open (for an
// interrupted process about to exit). Never throws.
void remove_temporary_output_files() noexcept;

}  // namespace faultline

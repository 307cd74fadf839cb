// Buffered JSON Lines output of the trace (docs/trace-format.md).
//
// The file is written through an OutputFile (a temporary file renamed over
// <path> by commit(), see sim/io/output_file.hpp), so a run that is abandoned
// (bad input, a crash of faultline itself, a full disk, a signal) never leaves
// a truncated trace under the name the user asked for.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sim/io/output_file.hpp"

namespace faultline {

class TraceWriter {
 public:
  TraceWriter() = default;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;
  ~TraceWriter() = default;  // an uncommitted file is abandoned

  // Throws OutputError when the file cannot be created (or `path` is not a
  // regular file and not `force`).
  void open(const std::string& path, bool force);
  bool is_open() const { return file_.is_open(); }

  // The line under construction; end_line() appends '\n' and flushes when the
  // buffer is large.
  fmt::memory_buffer& line() { return buffer_; }
  void end_line();

  // Flushes, closes and moves the file into place; throws OutputError.
  void commit();
  // Closes and deletes the partial file.
  void abandon();

 private:
  void flush();
  OutputFile file_;
  fmt::memory_buffer buffer_;
};

}  // namespace faultline

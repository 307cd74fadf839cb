// Buffered JSON Lines output of the trace (docs/trace-format.md).
//
// The file is written to "<path>.partial" and renamed over <path> by
// commit(), so a run that is abandoned (bad input, a crash of faultline
// itself) never leaves a truncated trace under the name the user asked for.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace faultline {

class TraceWriter {
 public:
  TraceWriter() = default;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;
  ~TraceWriter();

  // Throws std::runtime_error when the file cannot be created.
  void open(const std::string& path);
  bool is_open() const { return file_ != nullptr; }

  // The line under construction; end_line() appends '\n' and flushes when the
  // buffer is large.
  fmt::memory_buffer& line() { return buffer_; }
  void end_line();

  // Flushes, closes and moves the file into place.
  void commit();
  // Closes and deletes the partial file.
  void abandon();

 private:
  void flush();
  std::FILE* file_ = nullptr;
  std::string path_;
  fmt::memory_buffer buffer_;
};

}  // namespace faultline

#include "sim/trace/trace_writer.hpp"

namespace faultline {

namespace {
constexpr std::size_t kFlushAt = 1 << 20;
}

void TraceWriter::open(const std::string& path, bool force) { file_.open(path, force, "--trace"); }

void TraceWriter::end_line() {
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushAt) flush();
}

void TraceWriter::flush() {
  if (file_.is_open() && buffer_.size() > 0) file_.write(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void TraceWriter::commit() {
  if (!file_.is_open()) return;
  flush();
  file_.commit();
}

void TraceWriter::abandon() {
  file_.abandon();
  buffer_.clear();
}

}  // namespace faultline

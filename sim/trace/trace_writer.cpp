#include "sim/trace/trace_writer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace faultline {

namespace {
constexpr std::size_t kFlushAt = 1 << 20;
}

TraceWriter::~TraceWriter() { abandon(); }

void TraceWriter::open(const std::string& path) {
  path_ = path;
  const std::string partial = path + ".partial";
  file_ = std::fopen(partial.c_str(), "wb");
  if (file_ == nullptr)
    throw std::runtime_error(fmt::format("cannot write trace file '{}': {}", partial, std::strerror(errno)));
}

void TraceWriter::end_line() {
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushAt) flush();
}

void TraceWriter::flush() {
  if (file_ != nullptr && buffer_.size() > 0) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  buffer_.clear();
}

void TraceWriter::commit() {
  if (file_ == nullptr) return;
  flush();
  const bool failed = std::fclose(file_) != 0;
  file_ = nullptr;
  const std::string partial = path_ + ".partial";
  if (failed || std::rename(partial.c_str(), path_.c_str()) != 0) {
    std::remove(partial.c_str());
    throw std::runtime_error(fmt::format("cannot write trace file '{}'", path_));
  }
}

void TraceWriter::abandon() {
  if (file_ == nullptr) return;
  std::fclose(file_);
  file_ = nullptr;
  buffer_.clear();
  std::remove((path_ + ".partial").c_str());
}

}  // namespace faultline

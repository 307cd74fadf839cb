#include "sim/checkers/kv_history.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "sim/io/output_file.hpp"

namespace faultline {

void write_history_csv(const std::string& path, const KvHistory& history, bool force) {
  static constexpr const char* kKinds[] = {"get", "put", "append", "cas"};
  OutputFile file;
  file.open(path, force, "--history");
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "client,op,key,invoked_ns,completed_ns\n");
  for (const auto& op : history) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},", op.client, kKinds[static_cast<int>(op.kind)], op.key,
                   op.invoked);
    if (op.answered()) fmt::format_to(std::back_inserter(out), "{}", op.completed);
    out.push_back('\n');
    if (out.size() >= (1 << 20)) {
      file.write(out.data(), out.size());
      out.clear();
    }
  }
  file.write(out.data(), out.size());
  file.commit();
}

}  // namespace faultline

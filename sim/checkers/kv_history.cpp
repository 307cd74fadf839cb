#include "sim/checkers/kv_history.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace faultline {

KvHistory flatten(const KvHistoryGroups& groups) {
  KvHistory out;
  for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  std::stable_sort(out.begin(), out.end(), invoked_before);
  return out;
}

void write_history_csv(const std::string& path, const KvHistory& history) {
  static constexpr const char* kKinds[] = {"get", "put", "append", "cas"};
  const std::string partial = path + ".partial";
  std::FILE* f = std::fopen(partial.c_str(), "w");
  if (!f) throw std::runtime_error(fmt::format("cannot write the history to {}", path));
  fmt::print(f, "client,op,key,invoked_ns,completed_ns\n");
  for (const auto& op : history) {
    fmt::print(f, "{},{},{},{},", op.client, kKinds[static_cast<int>(op.kind)], op.key, op.invoked);
    if (op.answered()) fmt::print(f, "{}", op.completed);
    fmt::print(f, "\n");
  }
  const bool ok = std::fclose(f) == 0;
  std::error_code ec;
  if (ok) std::filesystem::rename(partial, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(partial, ec);
    throw std::runtime_error(fmt::format("cannot write the history to {}", path));
  }
}

}  // namespace faultline

#include "sim/view/node_order.hpp"

#include <algorithm>
#include <set>

namespace faultline::view {

bool node_name_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && is_digit(a[ei])) ++ei;
      while (ej < b.size() && is_digit(b[ej])) ++ej;
      // Compare the numbers without converting: strip leading zeros, then length, then digits.
      std::size_t zi = i, zj = j;
      while (zi + 1 < ei && a[zi] == '0') ++zi;
      while (zj + 1 < ej && b[zj] == '0') ++zj;
      if (ei - zi != ej - zj) return ei - zi < ej - zj;
      const int c = a.compare(zi, ei - zi, b, zj, ej - zj);
      if (c != 0) return c < 0;
      i = ei, j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i, ++j;
  }
  return a.size() - i < b.size() - j;
}

std::vector<std::string> trace_nodes(const std::vector<TraceLine>& lines) {
  std::set<std::string> names;
  for (const auto& line : lines) {
    if (!line.node.empty()) names.insert(line.node);
    if (line.kind == "send" || line.kind == "duplicate") names.insert(line.string_field("to"));
    if (line.kind == "deliver" || line.kind == "drop") names.insert(line.string_field("from"));
  }
  names.erase("");
  std::vector<std::string> out(names.begin(), names.end());
  std::sort(out.begin(), out.end(), node_name_less);
  return out;
}

}  // namespace faultline::view

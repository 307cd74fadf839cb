// did_you_mean: the closest known word by optimal-string-alignment distance
// (edits, with adjacent transpositions counting one).
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/yaml_section.hpp"

namespace faultline {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  if (n > 64 || m > 64) return std::max(n, m);  // long words are never "near misses"
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

}  // namespace

std::string did_you_mean(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = SIZE_MAX;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  // Close means at most 2 edits, and fewer edits than the word has letters.
  const std::size_t limit = std::min<std::size_t>(2, std::max<std::size_t>(1, key.size() / 3 + 1));
  if (best.empty() || best_distance > limit || best_distance >= key.size()) return "";
  return fmt::format("did you mean '{}'?", best);
}

}  // namespace faultline

#include "sim/run/memory_estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "sim/scenario/scenario_error.hpp"

namespace faultline {

namespace {

// Per node and per pair of nodes, each protocol declares what it costs
// (ProtocolBinding::memory_per_node, memory_per_pair: peak RSS with
// /usr/bin/time -v on the Release build, less the 5 MB of an empty run, over
// the node count, rounded up; the measurements are beside each binding's
// figures). The rest is the same for every protocol:
constexpr std::uint64_t kBase = 8ULL << 20;  // the process before the run: code, allocator, scenario
// The workload (sim/workload/kv_workload.hpp), measured with Raft on
// compare/leader_crash.yaml and compare/steady.yaml:
//  - each client keeps the last value it saw per key, in 8 bytes: 1 -> 8
//    clients at 1,000,000 keys adds 56.0 MB, 8.0 B per client and key -> 8
//    (2 Dec 2026);
//  - the first 65,536 keys get a name and a history group of their own:
//    8 -> 65,536 keys with one client adds 44.7 MB, 681 B per key -> 700
//    (2 Dec 2026);
//  - every request stays in the history for the linearizability check
//    (with what the Raft observer keeps per log index, now only a window,
//    raft/binding/applied_window.hpp): 300 s -> 600 s at 1,000 requests per
//    second on compare/steady.yaml with 256 clients and keys adds 16.2 MB
//    for 285,873 requests, 57 B each -> 64 (2 Dec 2026; an hour of it, the
//    README's Raft benchmark, is 241 MB estimated against 205 MB measured
//    with the heap in 4 KiB pages and 237 MB in huge pages).
constexpr std::uint64_t kClientKeyBytes = 8;
constexpr std::uint64_t kClientBytes = 512;
constexpr std::uint64_t kRequestBytes = 64;
constexpr std::uint64_t kNamedKeyBytes = 700;
constexpr std::uint64_t kKeysKeptApart = 1 << 16;

// a * b, saturating at 2^64 - 1.
std::uint64_t times(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}
std::uint64_t plus(std::uint64_t a, std::uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 6) v /= 1024.0, ++u;
  if (u == 0) return fmt::format("{} B", bytes);
  if (v < 10 && v != std::floor(v)) return fmt::format("{:.1f} {}", v, units[u]);
  return fmt::format("{:.0f} {}", v, units[u]);
}

MemoryEstimate estimate_memory(const Scenario& s, const ProtocolBinding& binding) {
  MemoryEstimate e;
  auto add = [&](std::string what, std::string key, std::uint64_t bytes) {
    e.parts.push_back({std::move(what), std::move(key), bytes});
    e.bytes = plus(e.bytes, bytes);
  };
  const std::uint64_t n = s.node_count();
  const std::uint64_t node = binding.memory_per_node, peer = binding.memory_per_pair;
  add("the process", "", kBase);
  add(fmt::format("nodes: {} x {} B", n, node), "nodes", times(n, node));
  if (peer) add(fmt::format("all-to-all state: {} x {} peers x {} B", n, n, peer), "nodes", times(times(n, n), peer));
  if (s.workload) {
    const WorkloadSpec& w = *s.workload;
    add(fmt::format("last value seen per client and key: {} clients x {} keys x {} B", w.clients, w.keys, kClientKeyBytes),
        "workload.keys", times(times(w.clients, w.keys), kClientKeyBytes));
    add(fmt::format("clients: {} x {} B", w.clients, kClientBytes), "workload.clients", times(w.clients, kClientBytes));
    add(fmt::format("named keys: {} x {} B", std::min<std::uint64_t>(w.keys, kKeysKeptApart), kNamedKeyBytes),
        "workload.keys", times(std::min<std::uint64_t>(w.keys, kKeysKeptApart), kNamedKeyBytes));
    // Every request is kept for the linearizability check: rate x active time,
    // or fewer when the run stops after max_events.
    const Time end = std::min<Time>(w.stop.value_or(s.duration), s.duration);
    const double seconds = end > w.start ? static_cast<double>(end - w.start) / kSecond : 0.0;
    double requests = std::ceil(w.rate_per_s * seconds);
    if (s.stop.max_events) requests = std::min(requests, static_cast<double>(*s.stop.max_events));
    const std::uint64_t count = requests >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(requests);
    add(fmt::format("request history: {} requests x {} B", count, kRequestBytes), "workload.rate", times(count, kRequestBytes));
  }
  return e;
}

std::uint64_t MemoryEstimate::bytes_for(std::string_view key) const {
  std::uint64_t sum = 0;
  for (const MemoryPart& part : parts)
    if (part.key == key) sum = plus(sum, part.bytes);
  return sum;
}

MemoryEstimate check_memory(const Scenario& s, const ProtocolBinding& binding, std::uint64_t limit) {
  MemoryEstimate e = estimate_memory(s, binding);
  if (e.bytes <= limit) return e;
  std::vector<MemoryPart> parts = e.parts;
  std::stable_sort(parts.begin(), parts.end(), [](const MemoryPart& a, const MemoryPart& b) { return a.bytes > b.bytes; });
  std::string largest;
  for (std::size_t i = 0; i < parts.size() && i < 2; ++i)
    if (i == 0 || parts[i].bytes >= e.bytes / 10) largest += fmt::format("{}{} = {}", largest.empty() ? "" : "; ", parts[i].what, format_bytes(parts[i].bytes));
  // Round the suggested limit up to a whole GiB (or TiB) above the estimate.
  const std::uint64_t gib = 1ULL << 30;
  const std::string suggestion =
      e.bytes >= (UINT64_MAX >> 2) ? "more than any machine has"
      : e.bytes >= (1ULL << 40)    ? fmt::format("--memory-limit {}TiB", e.bytes / (1ULL << 40) + 1)
                                   : fmt::format("--memory-limit {}GiB", e.bytes / gib + 1);
  const std::string message = fmt::format(
      "one run of {} would need about {} of memory, above the limit of {} ({}); reduce {} or, if this machine has "
      "the memory, raise the limit with {}",
      binding.name, format_bytes(e.bytes), format_bytes(limit), largest, parts[0].key.empty() ? "the scenario" : parts[0].key,
      suggestion);
  SourceLocation where{s.path, 0, 0};
  const auto set = s.overrides.find(parts[0].key);
  if (set != s.overrides.end()) where = {"--set " + set->second, 0, 0};
  throw ScenarioError(where, "", message);
}

std::uint64_t parse_memory_limit(const std::string& text) {
  auto bad = [&]() -> std::uint64_t {
    throw ScenarioError({"--memory-limit", 0, 0}, "--memory-limit",
                        fmt::format("expected a size like 8GiB, 512MiB or 64GB (above zero, at most 8EiB), got '{}'", text));
  };
  std::size_t i = 0;
  std::uint64_t number = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (number > (UINT64_MAX - digit) / 10) return bad();
    number = number * 10 + digit;
    ++i;
  }
  if (i == 0) return bad();
  std::string unit = text.substr(i);
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  std::uint64_t scale = 0;
  const std::pair<const char*, std::uint64_t> units[] = {
      {"", 1},          {"B", 1},          {"K", 1ULL << 10},  {"KiB", 1ULL << 10}, {"KB", 1000},
      {"M", 1ULL << 20}, {"MiB", 1ULL << 20}, {"MB", 1000000}, {"G", 1ULL << 30},   {"GiB", 1ULL << 30},
      {"GB", 1000000000}, {"T", 1ULL << 40}, {"TiB", 1ULL << 40}, {"TB", 1000000000000}};
  for (const auto& [name, value] : units)
    if (unit == name) scale = value;
  if (scale == 0 || number == 0) return bad();
  const std::uint64_t bytes = times(number, scale);
  if (bytes > (1ULL << 63)) return bad();
  return bytes;
}

}  // namespace faultline

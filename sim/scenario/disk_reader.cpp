// disk and timers: a latency per node (the default, with per-node
// overrides), for syncs of durable storage and for timer jitter.
#include <fmt/format.h>

#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

// `key` (sync or jitter) at the section's top, and a `nodes` list of
// {nodes: NAMES, key: LATENCY} overrides. Returns false if the section is absent.
bool read_per_node_latency(YamlSection& top, std::string_view section, std::string_view key, const NodeNames& nodes,
                           LatencySpec& latency, std::vector<NodeLatencyOverride>& overrides) {
  auto s = top.section(section);
  if (!s) return top.has(section);  // `disk:` with nothing under it: enabled, zero latency
  latency = read_latency(*s, key, latency);
  for (auto& entry : read_list_of_sections(*s, "nodes")) {
    NodeLatencyOverride o;
    o.where = entry.location();
    o.nodes = nodes.read_list(entry, "nodes", true);
    if (!entry.has(key)) entry.fail(key, fmt::format("missing: the {} latency of these nodes, e.g. {}: 20ms", key, key));
    o.latency = read_latency(entry, key, latency);
    entry.finish();
    overrides.push_back(std::move(o));
  }
  s->finish();
  return true;
}

}  // namespace

DiskSpec read_disk(YamlSection& top, const NodeNames& nodes) {
  DiskSpec disk;
  disk.enabled = read_per_node_latency(top, "disk", "sync", nodes, disk.sync, disk.nodes);
  return disk;
}

TimerSpec read_timers(YamlSection& top, const NodeNames& nodes) {
  TimerSpec timers;
  timers.enabled = read_per_node_latency(top, "timers", "jitter", nodes, timers.jitter, timers.nodes);
  return timers;
}

}  // namespace faultline

#include "sim/shrink/scenario_document.hpp"

#include <fmt/format.h>

#include "sim/scenario/scenario_overrides.hpp"
#include "sim/scenario/yaml_text_checks.hpp"

namespace faultline {

namespace {

YAML::Node flow_list(std::vector<std::string> items) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (auto& i : items) list.push_back(std::move(i));
  list.SetStyle(YAML::EmitterStyle::Flow);
  return list;
}

std::string node_text(NodeId id, const Scenario& names) { return id == kLeaderTarget ? "leader" : names.node_name(id); }

YAML::Node node_list(const std::vector<NodeId>& ids, const Scenario& names) {
  std::vector<std::string> out;
  for (NodeId id : ids) out.push_back(node_text(id, names));
  return flow_list(std::move(out));
}

const char* kind_key(FaultEvent::Kind k) {
  using K = FaultEvent::Kind;
  switch (k) {
    case K::kCrash: return "crash";
    case K::kRestart: return "restart";
    case K::kPause: return "pause";
    case K::kResume: return "resume";
    case K::kPartition: return "partition";
    case K::kOneWay: return "one_way";
    case K::kIsolate: return "isolate";
    case K::kHeal: return "heal";
    case K::kDrift: return "drift";
    case K::kSlowDisk: return "slow_disk";
    case K::kAddServer: return "add_server";
    case K::kRemoveServer: return "remove_server";
    case K::kTransferLeader: return "transfer_leader";
  }
  return "";
}

}  // namespace

YAML::Node scenario_document(std::string_view text, const std::string& file, const std::vector<Override>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ScenarioError({file, std::max(1, e.mark.line + 1), std::max(1, e.mark.column + 1)}, "",
                        "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) throw ScenarioError({file, 1, 1}, "", "a scenario is a mapping of keys (protocol, nodes, ...)");
  for (const auto& o : overrides) apply_override(root, o);
  return root;
}

std::string duration_text(Duration d) {
  if (d % kSecond == 0) return fmt::format("{}s", d / kSecond);
  if (d % kMillisecond == 0) return fmt::format("{}ms", d / kMillisecond);
  if (d % kMicrosecond == 0) return fmt::format("{}us", d / kMicrosecond);
  return fmt::format("{}ns", d);
}

YAML::Node fault_entry(const FaultEvent& f, const Scenario& names) {
  using K = FaultEvent::Kind;
  YAML::Node e(YAML::NodeType::Map);
  e.SetStyle(YAML::EmitterStyle::Flow);
  e["at"] = duration_text(f.at);
  const char* key = kind_key(f.kind);
  switch (f.kind) {
    case K::kCrash:
    case K::kRestart:
    case K::kPause:
    case K::kResume:
    case K::kIsolate:
      if (f.undo_after > 0) {  // crash or pause with `for`
        YAML::Node undone(YAML::NodeType::Map);
        undone["nodes"] = node_list(f.nodes, names);
        undone["for"] = duration_text(f.undo_after);
        e[key] = undone;
      } else {
        e[key] = node_list(f.nodes, names);
      }
      break;
    case K::kAddServer:
    case K::kRemoveServer:
    case K::kTransferLeader:
      e[key] = node_text(f.nodes.at(0), names);
      break;
    case K::kPartition:
      if (f.leader_side > 0) {
        YAML::Node side(YAML::NodeType::Map);
        side["leader_side"] = f.leader_side;
        e[key] = side;
      } else {
        YAML::Node groups(YAML::NodeType::Sequence);
        for (const auto& g : f.groups) groups.push_back(node_list(g, names));
        groups.SetStyle(YAML::EmitterStyle::Flow);
        e[key] = groups;
      }
      break;
    case K::kOneWay: {
      YAML::Node cut(YAML::NodeType::Map);
      cut["from"] = node_list(f.from, names);
      cut["to"] = node_list(f.to, names);
      e[key] = cut;
      break;
    }
    case K::kHeal:
      e[key] = "all";
      break;
    case K::kDrift: {
      // The loader reads factor * 1e6 rounded: ppm / 1e6 printed shortest round-trips.
      YAML::Node drift(YAML::NodeType::Map);
      drift["nodes"] = node_list(f.nodes, names);
      drift["factor"] = fmt::format("{}", static_cast<double>(f.drift_ppm) / 1e6);
      e[key] = drift;
      break;
    }
    case K::kSlowDisk: {
      YAML::Node slow(YAML::NodeType::Map);
      slow["nodes"] = node_list(f.nodes, names);
      slow["factor"] = fmt::format("{}", static_cast<double>(f.disk_factor_permille) / 1000.0);
      if (f.slow_for > 0) slow["for"] = duration_text(f.slow_for);
      e[key] = slow;
      break;
    }
  }
  return e;
}

std::string emit_document(const YAML::Node& doc, std::string_view header) {
  YAML::Emitter out;
  out << doc;
  if (!out.good()) throw std::logic_error("cannot write the scenario as YAML: " + out.GetLastError());
  std::string text;
  std::size_t start = 0;
  while (start < header.size()) {
    const auto end = header.find('\n', start);
    const auto line = header.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    text += line.empty() ? "#\n" : fmt::format("# {}\n", line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  text += out.c_str();
  text += '\n';
  return text;
}

}  // namespace faultline

// The pieces of the scenario loader, one per part of the format. Internal to
// sim/scenario/; scenario_loader.hpp is the public face.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

// Node names to ids, for fault targets and link groups.
class NodeNames {
 public:
  // `generated`: names are n0..n{count-1} (from `nodes: COUNT`), looked up
  // without a table so a million-node cluster costs nothing here.
  NodeNames(const std::vector<std::string>& names, bool generated, NodeId count);

  std::optional<NodeId> find(std::string_view name) const;
  NodeId count() const { return count_; }
  std::string name(NodeId id) const { return generated_ ? "n" + std::to_string(id) : names_[id]; }
  // `key` holds a name or a list of names (or `all`, where allowed; or
  // `leader`, read as kLeaderTarget, where allowed: a fault target resolved
  // when the fault applies; or a role's name, once set_roles was called: its
  // members).
  std::vector<NodeId> read_list(YamlSection& section, std::string_view key, bool allow_all,
                                bool allow_leader = false) const;
  std::vector<NodeId> read_list_node(const YAML::Node& node, const YamlSection& section, std::string_view key,
                                     bool allow_all, bool allow_leader = false) const;
  // From now on a role's name reads as its members (nullptr: no roles).
  void set_roles(const NodeRoles* roles) { roles_ = roles; }
  const NodeRoles* roles() const { return roles_; }

 private:
  [[noreturn]] void unknown(const YAML::Node& where, const YamlSection& section, std::string_view key,
                            const std::string& name) const;
  const std::vector<std::string>& names_;
  bool generated_;
  NodeId count_;
  std::map<std::string, NodeId, std::less<>> ids_;  // when not generated
  const NodeRoles* roles_ = nullptr;
};

// A role `name` a fault names (`key` in `section`, value `item`): its members;
// a ScenarioError for a role with no members.
const std::vector<NodeId>& role_members(const NodeRoles& roles, const std::string& name, const YAML::Node& item,
                                        const YamlSection& section, std::string_view key);

// A location for an element of a list, for errors.
SourceLocation location_of(const YAML::Node& node, const YamlSection& parent, std::string_view key);
[[noreturn]] void fail_at(const YAML::Node& node, const YamlSection& parent, std::string_view key,
                          const std::string& path, const std::string& message);

// A list value: its elements as sections (each must be a mapping), with
// paths "key.0", "key.1", ...
std::vector<YamlSection> read_list_of_sections(YamlSection& parent, std::string_view key);

// A duration or a range: "2s", "2s..5s" or [2s, 5s]. min > 0 unless allow_zero.
std::pair<Duration, Duration> read_duration_range(YamlSection& s, std::string_view key, bool required,
                                                  bool allow_zero = false);

NetworkSpec read_network(YamlSection& top, const NodeNames& nodes);
LatencySpec read_latency(YamlSection& parent, std::string_view key, const LatencySpec& fallback);
DiskSpec read_disk(YamlSection& top, const NodeNames& nodes);
TimerSpec read_timers(YamlSection& top, const NodeNames& nodes);
// `has_leader`: the protocol has a leader, so faults may target `leader`.
// `has_membership`: add_server, remove_server and transfer_leader are allowed.
// `has_disk`: the scenario has a `disk:` section, so slow_disk is allowed.
std::vector<FaultEvent> read_faults(YamlSection& top, const NodeNames& nodes, Duration run_length, bool has_leader,
                                    bool has_membership, bool has_disk = true);
// `roles`: the protocol's roles, which `target` may name.
std::vector<NemesisSpec> read_nemesis(YamlSection& top, NodeId count, Duration run_length,
                                      const NodeRoles& roles = {});
struct ProtocolBinding;
std::vector<SwarmNarrowing> read_swarm(YamlSection& top, const Scenario& s, const ProtocolBinding& binding);

}  // namespace faultline

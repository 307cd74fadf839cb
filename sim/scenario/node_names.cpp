#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

NodeNames::NodeNames(const std::vector<std::string>& names, bool generated, NodeId count)
    : names_(names), generated_(generated), count_(count) {
  if (!generated_)
    for (NodeId i = 0; i < names_.size(); ++i) ids_.emplace(names_[i], i);
}

std::optional<NodeId> NodeNames::find(std::string_view name) const {
  if (generated_) {
    if (name.size() < 2 || name[0] != 'n' || (name[1] == '0' && name.size() > 2)) return std::nullopt;
    NodeId id = 0;
    auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), id);
    if (ec != std::errc() || end != name.data() + name.size() || id >= count_) return std::nullopt;
    return id;
  }
  auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

SourceLocation location_of(const YAML::Node& node, const YamlSection& parent, std::string_view key) {
  const SourceLocation fallback = parent.location(key);
  if (fallback.line == 0) return fallback;  // from --set
  const auto m = node.Mark();
  if (m.is_null() || m.line < 0) return fallback;
  return {parent.file(), m.line + 1, m.column + 1};
}

void fail_at(const YAML::Node& node, const YamlSection& parent, std::string_view key, const std::string& path,
             const std::string& message) {
  throw ScenarioError(location_of(node, parent, key), path, message);
}

void NodeNames::unknown(const YAML::Node& where, const YamlSection& section, std::string_view key,
                        const std::string& name) const {
  // Generated names (n0..) are explained by their range; named nodes get a
  // did-you-mean. With roles, so are they.
  if (roles_ && !roles_->empty()) {
    std::vector<std::string> role_names;
    for (const auto& [role, members] : *roles_) role_names.push_back(role);
    std::string hint = did_you_mean(name, role_names);
    if (hint.empty() && !generated_ && names_.size() <= 10000) hint = did_you_mean(name, names_);
    std::string list;
    for (const auto& r : role_names) list += (list.empty() ? "" : ", ") + r;
    const std::string range = generated_ ? fmt::format("nodes are n0..n{}, ", count_ - 1) : "";
    fail_at(where, section, key, section.key_path(key),
            fmt::format("no node or role named '{}' ({}roles are {}){}", name, range, list, hint.empty() ? "" : "; " + hint));
  }
  const std::string hint = generated_ || names_.size() > 10000 ? "" : did_you_mean(name, names_);
  const std::string range = generated_ ? fmt::format(" (nodes are n0..n{})", count_ - 1) : "";
  fail_at(where, section, key, section.key_path(key),
          fmt::format("no node named '{}'{}{}", name, range, hint.empty() ? "" : "; " + hint));
}

const std::vector<NodeId>& role_members(const NodeRoles& roles, const std::string& name, const YAML::Node& item,
                                        const YamlSection& section, std::string_view key) {
  const auto& members = roles.at(name);
  if (members.empty()) {
    std::string sizes;
    for (const auto& [role, m] : roles) sizes += fmt::format("{}{} ({})", sizes.empty() ? "" : ", ", role, m.size());
    fail_at(item, section, key, section.key_path(key),
            fmt::format("role '{}' has no members in this scenario (roles and their sizes: {})", name, sizes));
  }
  return members;
}

std::vector<NodeId> NodeNames::read_list_node(const YAML::Node& n, const YamlSection& section, std::string_view key,
                                              bool allow_all, bool allow_leader) const {
  std::vector<NodeId> out;
  auto one = [&](const YAML::Node& item) {
    if (!item.IsScalar())
      fail_at(item, section, key, section.key_path(key), "expected a node name or a list of node names");
    const std::string& name = item.Scalar();
    if (allow_all && name == "all") {
      for (NodeId i = 0; i < count_; ++i) out.push_back(i);
      return;
    }
    if (roles_) {
      if (auto role = roles_->find(name); role != roles_->end()) {
        if (find(name))
          fail_at(item, section, key, section.key_path(key),
                  fmt::format("'{}' is both a node's name and a role; rename the node", name));
        const auto& members = role_members(*roles_, name, item, section, key);
        std::vector<bool> listed(count_, false);
        for (NodeId id : out)
          if (id < count_) listed[id] = true;
        for (NodeId id : members) {
          if (listed[id])
            fail_at(item, section, key, section.key_path(key),
                    fmt::format("node '{}' is listed twice (role '{}' includes it)", this->name(id), name));
          out.push_back(id);
        }
        return;
      }
    }
    if (allow_leader && name == "leader") {
      if (find(name))
        fail_at(item, section, key, section.key_path(key),
                "'leader' is both a node's name and the leader target; rename the node");
      if (std::find(out.begin(), out.end(), kLeaderTarget) != out.end())
        fail_at(item, section, key, section.key_path(key), "'leader' is listed twice");
      out.push_back(kLeaderTarget);
      return;
    }
    const auto id = find(name);
    if (!id) unknown(item, section, key, name);
    if (std::find(out.begin(), out.end(), *id) != out.end())
      fail_at(item, section, key, section.key_path(key), fmt::format("node '{}' is listed twice", name));
    out.push_back(*id);
  };
  if (n.IsScalar()) {
    one(n);
  } else if (n.IsSequence()) {
    if (n.size() == 0) fail_at(n, section, key, section.key_path(key), "expected at least one node");
    for (const auto& item : n) one(item);
  } else {
    fail_at(n, section, key, section.key_path(key),
            allow_all ? "expected a node name, a list of node names, or all" : "expected a node name or a list of node names");
  }
  return out;
}

std::vector<NodeId> NodeNames::read_list(YamlSection& section, std::string_view key, bool allow_all,
                                         bool allow_leader) const {
  const YAML::Node n = section.raw(key);
  if (!n.IsDefined() || n.IsNull()) section.fail(key, "expected a node name or a list of node names");
  return read_list_node(n, section, key, allow_all, allow_leader);
}

std::vector<YamlSection> read_list_of_sections(YamlSection& parent, std::string_view key) {
  const YAML::Node n = parent.raw(key);
  std::vector<YamlSection> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) parent.fail(key, "expected a list (entries starting with '- ')");
  std::size_t i = 0;
  for (const auto& item : n) {
    const std::string path = parent.key_path(key) + "." + std::to_string(i++);
    if (!item.IsMap()) fail_at(item, parent, key, path, "expected a mapping of keys to values");
    out.emplace_back(item, path, parent.file(), parent.overrides());
  }
  return out;
}

std::pair<Duration, Duration> read_duration_range(YamlSection& s, std::string_view key, bool required, bool allow_zero) {
  const YAML::Node n = s.raw(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) s.fail(key, "missing; expected a duration like 2s or a range like 2s..5s");
    return {0, 0};
  }
  auto parse = [&](const std::string& text) {
    const auto d = parse_duration(text);
    if (!d) s.fail(key, fmt::format("expected a duration like 2s or a range like 2s..5s, got '{}'", text));
    return *d;
  };
  Duration lo = 0, hi = 0;
  if (n.IsSequence() && n.size() == 2 && n[0].IsScalar() && n[1].IsScalar()) {
    lo = parse(n[0].Scalar());
    hi = parse(n[1].Scalar());
  } else if (n.IsScalar()) {
    const std::string& text = n.Scalar();
    const auto dots = text.find("..");
    if (dots == std::string::npos) {
      lo = hi = parse(text);
    } else {
      lo = parse(text.substr(0, dots));
      hi = parse(text.substr(dots + 2));
    }
  } else {
    s.fail(key, "expected a duration like 2s or a range like 2s..5s or [2s, 5s]");
  }
  if (lo < 0 || (lo == 0 && !allow_zero)) s.fail(key, allow_zero ? "must not be negative" : "must be longer than zero");
  if (lo > hi) s.fail(key, "the range's lower end is above its upper end");
  return {lo, hi};
}

}  // namespace faultline

// The top level of a scenario: protocol, nodes, duration, seed, workload,
// stop conditions and expectations; network, faults and nemesis have their
// own readers. Validation is complete before this returns.
#include "sim/scenario/scenario_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include "sim/binding/protocol_registry.hpp"
#include "sim/run/expectations.hpp"
#include "sim/scenario/scenario_overrides.hpp"
#include "sim/scenario/scenario_readers.hpp"
#include "sim/scenario/yaml_text_checks.hpp"

namespace faultline {

namespace {

constexpr std::uint64_t kMaxNodes = 10'000'000;
constexpr std::size_t kMaxScenarioBytes = 64u << 20;
const std::vector<std::string> kTopLevelKeys = {"name",     "description", "protocol", "params", "nodes",
                                                "duration", "seed",        "network",  "workload", "faults",
                                                "nemesis",  "stop",        "expect",   "expect_failure", "disk",
                                                "timers",   "swarm"};

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

void read_nodes(YamlSection& top, Scenario& s, bool& generated) {
  const YAML::Node n = top.raw("nodes");
  if (!n.IsDefined() || n.IsNull()) top.fail("nodes", "missing: a node count (nodes: 5) or a list of names (nodes: [a, b, c])");
  if (n.IsScalar()) {
    const std::uint64_t count = top.integer("nodes", 0, 1, kMaxNodes);
    generated = true;
    s.nodes = static_cast<NodeId>(count);
    return;
  }
  if (!n.IsSequence() || n.size() == 0) top.fail("nodes", "expected a node count or a non-empty list of names");
  if (n.size() > kMaxNodes) top.fail("nodes", "too many nodes");
  std::set<std::string> seen;
  for (const auto& item : n) {
    if (!item.IsScalar() || !valid_name(item.Scalar()))
      fail_at(item, top, "nodes", "nodes", "a node name is letters, digits, '_', '-' or '.' (at most 64)");
    if (!seen.insert(item.Scalar()).second)
      fail_at(item, top, "nodes", "nodes", fmt::format("node '{}' is named twice", item.Scalar()));
    s.node_names.push_back(item.Scalar());
  }
  generated = false;
}

WorkloadSpec read_workload(YamlSection& w, Duration run_length) {
  WorkloadSpec spec;
  spec.where = w.location();
  spec.clients = static_cast<std::uint32_t>(w.integer("clients", 1, 1, 1'000'000));
  spec.rate_per_s = w.number("rate", 10.0, -1e12, 1e9);
  if (spec.rate_per_s <= 0) w.fail("rate", fmt::format("must be above zero (requests per second), got {}", spec.rate_per_s));
  spec.keys = static_cast<std::uint32_t>(w.integer("keys", 8, 1, 100'000'000));
  spec.read_fraction = w.probability("read_fraction", 0.5);
  spec.request_timeout = w.duration("request_timeout", spec.request_timeout);
  spec.random_target = w.choice("target", "leader", {"leader", "random"}) == "random";
  spec.start = w.duration("start", 0, true);
  if (w.has("stop")) {
    spec.stop = w.duration("stop", 0);
    if (*spec.stop <= spec.start) w.fail("stop", "must be after start");
  }
  if (spec.start > run_length) w.fail("start", "is after the end of the run");
  w.finish();
  return spec;
}

StopSpec read_stop(YamlSection& top, const ProtocolBinding& binding) {
  StopSpec stop;
  auto s = top.section("stop");
  if (!s) return stop;
  const YAML::Node when = s->raw("when");
  auto one = [&](const YAML::Node& item) {
    if (!item.IsScalar()) fail_at(item, *s, "when", s->key_path("when"), "expected a condition name");
    const std::string& name = item.Scalar();
    if (std::find(binding.stop_conditions.begin(), binding.stop_conditions.end(), name) == binding.stop_conditions.end()) {
      std::string list;
      for (const auto& c : binding.stop_conditions) list += (list.empty() ? "" : ", ") + c;
      const std::string hint = did_you_mean(name, binding.stop_conditions);
      fail_at(item, *s, "when", s->key_path("when"),
              fmt::format("unknown stop condition '{}' for {}{}; it offers: {}", name, binding.name,
                          hint.empty() ? "" : " (" + hint + ")", list.empty() ? "none" : list));
    }
    stop.when.push_back(name);
  };
  if (when.IsScalar()) one(when);
  else if (when.IsSequence()) for (const auto& item : when) one(item);
  else if (when.IsDefined() && !when.IsNull()) s->fail("when", "expected a condition name or a list of them");
  if (s->has("max_events")) stop.max_events = s->integer("max_events", 1, 1, UINT64_MAX >> 1);
  s->finish();
  return stop;
}

std::vector<Expectation> read_expectations(YamlSection& top, const ProtocolBinding& binding) {
  std::vector<std::string> metrics = binding.metrics;
  for (const auto& m : engine_metric_names()) metrics.push_back(m);
  std::vector<Expectation> out;
  for (auto& e : read_list_of_sections(top, "expect")) {
    Expectation x;
    x.where = e.location();
    x.name = e.text("name", "");
    if (!e.has("metric")) e.fail("metric", "missing: the metric this bounds");
    x.metric = e.text("metric", "");
    if (std::find(metrics.begin(), metrics.end(), x.metric) == metrics.end()) {
      const std::string hint = did_you_mean(x.metric, metrics);
      std::string list;
      for (const auto& m : metrics) list += (list.empty() ? "" : ", ") + m;
      e.fail("metric", fmt::format("unknown metric '{}'{}; {} reports: {}", x.metric,
                                   hint.empty() ? "" : " (" + hint + ")", binding.name, list));
    }
    // A bound is a number, or a duration (for *_ns metrics, in ns).
    auto bound = [&](std::string_view key) -> std::optional<double> {
      const YAML::Node v = e.raw(key);
      if (!v.IsDefined() || v.IsNull()) return std::nullopt;
      if (v.IsScalar()) {
        if (const auto d = parse_duration(v.Scalar())) return static_cast<double>(*d);
        double number = 0;
        if (YAML::convert<double>::decode(v, number) && std::isfinite(number)) return number;
      }
      e.fail(key, fmt::format("expected a number or a duration, got '{}'", v.IsScalar() ? v.Scalar() : "a collection"));
    };
    x.min = bound("min");
    x.max = bound("max");
    if (e.has("count_min")) x.count_min = e.integer("count_min", 0, 0, UINT64_MAX >> 1);
    if (e.has("count_max")) x.count_max = e.integer("count_max", 0, 0, UINT64_MAX >> 1);
    x.liveness = e.flag("liveness", false);
    if (!x.min && !x.max && !x.count_min && !x.count_max)
      e.fail("metric", "an expectation needs a bound: min, max, count_min or count_max");
    if (x.min && x.max && *x.min > *x.max) e.fail("min", "is above max");
    e.finish();
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<std::string> read_names(YamlSection& f, std::string_view key) {
  const YAML::Node list = f.raw(key);
  std::vector<std::string> out;
  if (!list.IsDefined() || list.IsNull()) return out;
  if (list.IsScalar()) return {list.Scalar()};
  if (!list.IsSequence()) f.fail(key, "expected a name or a list of names");
  for (const auto& item : list) {
    if (!item.IsScalar() || item.Scalar().empty()) fail_at(item, f, std::string(key), f.key_path(key), "expected a name");
    out.push_back(item.Scalar());
  }
  return out;
}

// `expect_failure: {reason, expectations, invariants}` (see ExpectedFailure).
std::optional<ExpectedFailure> read_expected_failure(YamlSection& top, const std::vector<Expectation>& expectations) {
  auto f = top.section("expect_failure");
  if (!f) return std::nullopt;
  ExpectedFailure x;
  x.where = f->location();
  if (!f->has("reason")) f->fail("reason", "missing: why this scenario must fail, in a sentence");
  x.reason = f->text("reason", "");
  x.expectations = read_names(*f, "expectations");
  x.invariants = read_names(*f, "invariants");
  if (x.expectations.empty() && x.invariants.empty())
    f->fail("expectations", "name what must fail: expectations (names from `expect`), invariants, or both");
  std::vector<std::string> known;
  for (const auto& e : expectations) known.push_back(expectation_name(e));
  for (const auto& name : x.expectations) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "'" : ", '") + k + "'";
    const std::string hint = did_you_mean(name, known);
    f->fail("expectations", fmt::format("no expectation named '{}'{}; `expect` has: {}", name,
                                        hint.empty() ? "" : " (" + hint + ")", list.empty() ? "none" : list));
  }
  for (const auto& name : x.invariants) {
    const bool snake = std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (!snake) f->fail("invariants", fmt::format("'{}' is not an invariant name (lower_case_with_underscores, e.g. election_safety)", name));
  }
  f->finish();
  return x;
}

// A binding's roles, members sorted and each once. A name that collides
// with a target keyword or an out-of-range id is the binding's bug.
NodeRoles checked_roles(NodeRoles roles, const NodeNames& names, const std::string& protocol) {
  for (auto& [role, members] : roles) {
    if (role.empty() || role == "all" || role == "leader" || role == "random")
      throw std::logic_error(fmt::format("protocol {} declares a role named '{}', which is a reserved target", protocol, role));
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    if (!members.empty() && members.back() >= names.count())
      throw std::logic_error(fmt::format("protocol {}'s role '{}' holds node id {}, beyond the {} nodes", protocol, role,
                                         members.back(), names.count()));
  }
  return roles;
}

Scenario load(YAML::Node root, const std::string& file, const std::vector<Override>& overrides) {
  if (!root.IsDefined() || root.IsNull()) {
    if (overrides.empty())
      throw ScenarioError({file, 1, 1}, "", "the scenario is empty; it needs at least protocol and nodes");
    root = YAML::Node(YAML::NodeType::Map);
  }
  if (!root.IsMap()) {
    const auto m = root.Mark();
    throw ScenarioError({file, std::max(1, m.line + 1), std::max(1, m.column + 1)}, "",
                        root.IsSequence() ? "a scenario is a mapping of keys (protocol, nodes, ...), not a list"
                                          : "a scenario is a mapping of keys (protocol, nodes, ...), not a single value");
  }
  Scenario s;
  s.path = file;
  for (const auto& o : overrides) {
    const std::string text = o.path + "=" + o.value;
    for (const auto& made : apply_override(root, o)) s.overrides.try_emplace(made, text);
    s.overrides[o.path] = text;
  }
  YamlSection top(root, "", file, &s.overrides);
  // Unknown top-level keys first: a misspelt `protocol` should be reported as
  // a misspelling, not as a missing protocol.
  {
    YamlSection early(root, "", file, &s.overrides);
    for (const auto& key : kTopLevelKeys) early.raw(key);
    early.finish();
  }

  s.name = top.text("name", std::filesystem::path(file).stem().string());
  s.description = top.text("description", "");
  if (!top.has("protocol")) {
    std::string list;
    for (const auto& p : protocol_names()) list += (list.empty() ? "" : ", ") + p;
    top.fail("protocol", "missing: which protocol to run (" + list + ")");
  }
  s.protocol = top.text("protocol", "");
  const ProtocolBinding* binding = find_protocol(s.protocol);
  if (!binding) {
    std::string list;
    for (const auto& p : protocol_names()) list += (list.empty() ? "" : ", ") + p;
    const std::string hint = did_you_mean(s.protocol, protocol_names());
    top.fail("protocol", fmt::format("unknown protocol '{}'{}; known: {}", s.protocol, hint.empty() ? "" : " (" + hint + ")", list));
  }
  s.params = top.raw("params");
  if (s.params.IsDefined() && !s.params.IsNull() && !s.params.IsMap())
    top.fail("params", "expected a mapping of the protocol's parameters");
  if (!s.params.IsDefined()) s.params = YAML::Node(YAML::NodeType::Null);

  bool generated = true;
  read_nodes(top, s, generated);
  s.generated_names = generated;
  NodeNames names(s.node_names, generated, s.node_count());
  s.duration = top.duration("duration", s.duration);
  s.seed = top.integer("seed", 1, 0, UINT64_MAX);
  s.network = read_network(top, names);
  s.disk = read_disk(top, names);
  s.timers = read_timers(top, names);
  // `workload:` with no value (or --set workload=null) is no workload, as a
  // null section is everywhere: section() is empty for it.
  if (auto w = top.section("workload")) {
    if (!binding->has_clients)
      top.fail("workload", fmt::format("protocol '{}' has no clients; remove 'workload'", s.protocol));
    s.workload = read_workload(*w, s.duration);
  }
  // The protocol's roles (servers, agents, ...), which faults and the
  // nemesis may target by name.
  if (binding->roles) {
    s.roles = checked_roles(binding->roles(s), names, binding->name);
    names.set_roles(&s.roles);
  }
  s.faults = read_faults(top, names, s.duration, binding->has_leader, binding->has_membership, s.disk.enabled);
  s.nemesis = read_nemesis(top, s.node_count(), s.duration, s.roles);
  s.stop = read_stop(top, *binding);
  s.expectations = read_expectations(top, *binding);
  s.expect_failure = read_expected_failure(top, s.expectations);
  s.swarm = read_swarm(top, s, *binding);
  top.finish();
  binding->validate(s);
  return s;
}

}  // namespace

Scenario load_scenario_text(std::string_view text, const std::string& file, const std::vector<Override>& overrides) {
  if (const auto bad = find_invalid_utf8(text)) throw ScenarioError({file, bad->line, bad->column}, "", bad->message);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
    if (const auto bad = find_second_document(text)) throw ScenarioError({file, bad->line, bad->column}, "", bad->message);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp stops at 2000 levels rather than overflowing the stack.
    throw ScenarioError({file, std::max(1, e.mark.line + 1), std::max(1, e.mark.column + 1)}, "",
                        "YAML syntax error: nested too deeply (a scenario needs a handful of levels)");
  } catch (const YAML::Exception& e) {
    throw ScenarioError({file, std::max(1, e.mark.line + 1), std::max(1, e.mark.column + 1)}, "",
                        "YAML syntax error: " + e.msg);
  }
  try {
    return load(root, file, overrides);
  } catch (const ScenarioError&) {
    throw;
  } catch (const YAML::Exception& e) {
    throw ScenarioError({file, std::max(1, e.mark.line + 1), std::max(1, e.mark.column + 1)}, "", e.msg);
  } catch (const std::exception& e) {
    throw ScenarioError({file, 1, 1}, "", e.what());
  }
}

Scenario load_scenario_file(const std::string& file, const std::vector<Override>& overrides) {
  return load_scenario_text(read_scenario_file(file), file, overrides);
}

std::string read_scenario_file(const std::string& file) {
  // Open without blocking (a FIFO would wait for a writer), then check what
  // was opened, so the size and kind checked are those of the file read:
  // nothing is read from a device, a FIFO or a directory, nor from a file
  // above the limit.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw ScenarioError({file, 0, 0}, "", err == ENOENT ? "no such file" : fmt::format("cannot read the file: {}", std::strerror(err)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw ScenarioError({file, 0, 0}, "", fmt::format("cannot read the file: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    throw ScenarioError({file, 0, 0}, "", S_ISDIR(st.st_mode) ? "not a regular file (a directory)" : "not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxScenarioBytes)
    throw ScenarioError({file, 0, 0}, "", fmt::format("larger than 64 MiB ({} bytes): not a scenario", st.st_size));
  // Read at most one byte past the limit, in case the file grew since fstat.
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (text.size() > kMaxScenarioBytes) throw ScenarioError({file, 0, 0}, "", "larger than 64 MiB: not a scenario");
      text.resize(std::min<std::size_t>(text.size() * 2, kMaxScenarioBytes + 1));
    }
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ScenarioError({file, 0, 0}, "", fmt::format("cannot read the file: {}", std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

}  // namespace faultline

#include "sim/scenario/yaml_section.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace faultline {

namespace {

// A scalar's text for messages, shortened.
std::string shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  std::string s = n.Scalar();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

}  // namespace

YamlSection::YamlSection(YAML::Node node, std::string path, std::string file,
                         const std::map<std::string, std::string>* overrides)
    : node_(std::move(node)), path_(std::move(path)), file_(std::move(file)), overrides_(overrides) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    std::string at = path_.empty() ? "the scenario" : path_;
    throw ScenarioError(location(), path_, fmt::format("{} must be a mapping of keys to values, got {}", at, shown(node_)));
  }
}

YamlSection YamlSection::params_of(const Scenario& scenario) {
  return YamlSection(scenario.params, "params", scenario.path, &scenario.overrides);
}

bool YamlSection::has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  for (const auto& kv : node_)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  return false;
}

std::string YamlSection::key_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (key.empty()) return path_;
  return path_ + "." + std::string(key);
}

SourceLocation YamlSection::location() const {
  if (overrides_) {
    // A section created by --set (or inside one) is located by its override.
    for (const auto& [p, text] : *overrides_)
      if (path_ == p || path_.rfind(p + ".", 0) == 0) return {"--set " + text, 0, 0};
  }
  const auto mark = node_.IsDefined() ? node_.Mark() : YAML::Mark::null_mark();
  if (mark.is_null() || mark.line < 0) return {file_, 1, 1};
  return {file_, mark.line + 1, mark.column + 1};
}

SourceLocation YamlSection::location(std::string_view key) const {
  const std::string full = key_path(key);
  if (overrides_) {
    for (const auto& [p, text] : *overrides_)
      if (full == p || full.rfind(p + ".", 0) == 0 || (p.rfind(full + ".", 0) == 0 && !has(key)))
        return {"--set " + text, 0, 0};
  }
  if (node_.IsMap()) {
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar() || kv.first.Scalar() != key) continue;
      const auto mark = kv.second.IsDefined() && !kv.second.Mark().is_null() ? kv.second.Mark() : kv.first.Mark();
      if (!mark.is_null() && mark.line >= 0) return {file_, mark.line + 1, mark.column + 1};
    }
  }
  return location();
}

void YamlSection::fail(std::string_view key, const std::string& message) const {
  throw ScenarioError(location(key), key_path(key), message);
}

YAML::Node YamlSection::raw(std::string_view key) {
  known_.insert(std::string(key));
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& kv : node_)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  return YAML::Node(YAML::NodeType::Undefined);
}

Duration YamlSection::duration(std::string_view key, Duration fallback, bool allow_zero) {
  auto d = optional_duration(key, allow_zero);
  return d ? *d : fallback;
}

std::optional<Duration> YamlSection::optional_duration(std::string_view key, bool allow_zero) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) fail(key, fmt::format("expected a duration like 150ms, got {}", shown(n)));
  const auto d = parse_duration(n.Scalar());
  if (!d) {
    const std::string& s = n.Scalar();
    const bool bare_number = !s.empty() && s.find_first_not_of("0123456789.") == std::string::npos;
    fail(key, bare_number ? fmt::format("'{}' needs a unit: ns, us, ms, s, m or h (e.g. {}ms)", s, s)
                          : fmt::format("expected a duration like 150ms, 2s or 1m, got {}", shown(n)));
  }
  if (*d == 0 && !allow_zero) fail(key, "must be longer than zero");
  return d;
}

double YamlSection::number(std::string_view key, double fallback, double min, double max) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v))
    fail(key, fmt::format("expected a number, got {}", shown(n)));
  if (v < min || v > max) fail(key, fmt::format("must be between {} and {}, got {}", min, max, v));
  return v;
}

double YamlSection::probability(std::string_view key, double fallback) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v))
    fail(key, fmt::format("expected a probability in [0, 1], got {}", shown(n)));
  if (v < 0.0 || v > 1.0) fail(key, fmt::format("expected a probability in [0, 1], got {}", n.Scalar()));
  return v;
}

std::uint64_t YamlSection::integer(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("0123456789", 1) == std::string::npos)
      fail(key, fmt::format("must be at least {}, got {}", min, s));
    fail(key, fmt::format("expected a whole number, got {}", shown(n)));
  }
  // Accumulate with an overflow check: 20 digits may or may not fit in 64 bits.
  std::uint64_t v = 0;
  for (char c : s) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) fail(key, fmt::format("must be between {} and {}, got {}", min, max, shown(n)));
    v = v * 10 + digit;
  }
  if (v < min || v > max) fail(key, fmt::format("must be between {} and {}, got {}", min, max, v));
  return v;
}

bool YamlSection::flag(std::string_view key, bool fallback) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail(key, fmt::format("expected true or false, got {}", shown(n)));
  return v;
}

std::string YamlSection::text(std::string_view key, std::string fallback) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (!n.IsScalar()) fail(key, fmt::format("expected text, got {}", shown(n)));
  return n.Scalar();
}

std::string YamlSection::choice(std::string_view key, std::string fallback, std::initializer_list<std::string_view> options) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  std::vector<std::string> names(options.begin(), options.end());
  std::string list;
  for (const auto& o : names) list += (list.empty() ? "" : ", ") + o;
  if (!n.IsScalar()) fail(key, fmt::format("expected one of {}, got {}", list, shown(n)));
  for (const auto& o : names)
    if (o == n.Scalar()) return o;
  const std::string hint = did_you_mean(n.Scalar(), names);
  fail(key, fmt::format("unknown value {}{}; expected one of {}", shown(n), hint.empty() ? "" : "; " + hint, list));
}

std::optional<YamlSection> YamlSection::section(std::string_view key) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsMap()) fail(key, fmt::format("expected a mapping of keys to values, got {}", shown(n)));
  return YamlSection(n, key_path(key), file_, overrides_);
}

void YamlSection::finish() const {
  if (!node_.IsMap()) return;
  std::vector<std::string> known(known_.begin(), known_.end());
  std::map<std::string, int, std::less<>> first_line;  // key -> 1-based line where it first appears
  for (const auto& kv : node_) {
    const auto m = kv.first.Mark();
    if (!kv.first.IsScalar())
      throw ScenarioError({file_, std::max(1, m.line + 1), std::max(1, m.column + 1)}, path_, "keys must be plain words");
    const std::string& key = kv.first.Scalar();
    // yaml-cpp keeps both copies of a repeated key and every read sees the
    // first, so the second would be silently ignored.
    const auto [it, fresh] = first_line.try_emplace(key, m.line + 1);
    if (!fresh)
      throw ScenarioError({file_, std::max(1, m.line + 1), std::max(1, m.column + 1)}, key_path(key),
                          fmt::format("key '{}' appears twice (first on line {})", key, it->second));
    if (known_.count(key)) continue;
    const std::string hint = did_you_mean(key, known);
    SourceLocation where = location(key);
    if (where.line > 0) {
      const auto m = kv.first.Mark();
      where = {file_, m.line + 1, m.column + 1};
    }
    throw ScenarioError(where, key_path(key),
                        fmt::format("unknown key '{}'{}", key, hint.empty() ? "" : "; " + hint));
  }
}

}  // namespace faultline

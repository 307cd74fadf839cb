// Validated reads from one YAML mapping, with the path and file it came from,
// so every error names the file, the line and the dotted key.
//
//   YamlSection s(node, "network", file);
//   auto loss = s.probability("loss", 0.0);
//   auto lat  = s.duration("timeout", 500 * kMillisecond);
//   s.finish();   // any key not read above is "unknown key", with a did-you-mean
//
// Every reader throws ScenarioError on a wrong type, a bad duration ("5 sex"),
// or a value out of range. The protocol bindings read their `params` this way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_error.hpp"

namespace faultline {

// Parses "150ms", "2s", "1m", "1.5s", "250us", "10ns", "1h"; a bare 0 is allowed.
// Returns nullopt on anything else (including "5 sex", "-1s", "1e99s").
std::optional<Duration> parse_duration(std::string_view text);

// "did you mean 'loss'?" for the closest of `known` to `key`, or "" when none is close.
std::string did_you_mean(std::string_view key, const std::vector<std::string>& known);

class YamlSection {
 public:
  // `node` must be a map (or null/undefined, read as an empty map); `path` is
  // the dotted path of this section ("" for the top level). `overrides` maps
  // the dotted paths set with --set to their "path=value" text.
  YamlSection(YAML::Node node, std::string path, std::string file,
              const std::map<std::string, std::string>* overrides = nullptr);
  // The `params` of a scenario, for protocol bindings.
  static YamlSection params_of(const Scenario& scenario);

  bool has(std::string_view key) const;

  Duration duration(std::string_view key, Duration fallback, bool allow_zero = false);
  std::optional<Duration> optional_duration(std::string_view key, bool allow_zero = false);
  double probability(std::string_view key, double fallback);
  double number(std::string_view key, double fallback, double min, double max);
  std::uint64_t integer(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
  bool flag(std::string_view key, bool fallback);
  std::string text(std::string_view key, std::string fallback);
  // One of `options`; a near miss gets a did-you-mean.
  std::string choice(std::string_view key, std::string fallback, std::initializer_list<std::string_view> options);
  // A nested mapping, if present (error if present but not a mapping). Empty
  // for an absent key and for a key with no value (`workload:`): check before
  // use, never dereference unconditionally.
  [[nodiscard]] std::optional<YamlSection> section(std::string_view key);
  // The raw node, marked as known; for values the caller validates itself.
  YAML::Node raw(std::string_view key);

  SourceLocation location() const;                       // of this mapping
  SourceLocation location(std::string_view key) const;   // of a key's value
  std::string key_path(std::string_view key) const;      // "network.loss"
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;

  // Throws for the first key never read (file order), with a did-you-mean.
  void finish() const;

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const std::map<std::string, std::string>* overrides() const { return overrides_; }

 private:
  YAML::Node node_;
  std::string path_;
  std::string file_;
  std::set<std::string, std::less<>> known_;
  const std::map<std::string, std::string>* overrides_ = nullptr;
};

}  // namespace faultline

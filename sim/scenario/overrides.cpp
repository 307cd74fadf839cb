// --set dotted.path=value: applied to the YAML tree before validation, so an
// override is checked exactly like the same key written in the file.
#include <fmt/format.h>

#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_overrides.hpp"
#include "sim/scenario/yaml_text_checks.hpp"

namespace faultline {

Override parse_override(std::string_view text) {
  const auto eq = text.find('=');
  const std::string shown(text);
  if (eq == std::string_view::npos)
    throw ScenarioError({"--set " + shown, 0, 0}, shown, "expected --set key=value, e.g. --set network.loss=0.05");
  if (first_invalid_utf8(text))
    throw ScenarioError({"--set " + shown, 0, 0}, "", "the override is not UTF-8 (a scenario is UTF-8 throughout)");
  Override o{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  if (o.path.empty() || o.path.front() == '.' || o.path.back() == '.' || o.path.find("..") != std::string::npos)
    throw ScenarioError({"--set " + shown, 0, 0}, o.path, "expected a dotted key path like network.loss");
  return o;
}

std::vector<std::string> apply_override(YAML::Node& root, const Override& o) {
  const SourceLocation where{"--set " + o.path + "=" + o.value, 0, 0};
  YAML::Node value;
  try {
    value = YAML::Load(o.value);
    if (const auto bad = find_second_document(o.value)) throw ScenarioError(where, o.path, bad->message);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(where, o.path, fmt::format("the value is not valid YAML: {}", e.msg));
  }
  std::vector<std::string> segments;
  for (std::size_t start = 0;;) {
    const auto dot = o.path.find('.', start);
    segments.push_back(o.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  YAML::Node cur;
  cur.reset(root);
  std::string walked;
  std::vector<std::string> created;  // paths of the mappings and lists made on the way
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    const bool last = i + 1 == segments.size();
    const bool numeric = !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos && seg.size() < 9;
    if (cur.IsSequence()) {
      if (!numeric)
        throw ScenarioError(where, o.path, fmt::format("'{}' is a list: address its entries by number, e.g. {}.0", walked, walked));
      const std::size_t index = std::stoul(seg);
      if (index > cur.size())
        throw ScenarioError(where, o.path, fmt::format("'{}' has {} entries; the next new one is {}.{}", walked, cur.size(), walked, cur.size()));
      if (index == cur.size()) {
        cur.push_back(last ? value : YAML::Node(YAML::NodeType::Map));
        if (!last) created.push_back(walked + "." + seg);
      }
      else if (last) cur[index] = value;
      if (!last) {
        YAML::Node next = cur[index];
        cur.reset(next);
      }
    } else if (cur.IsMap() || cur.IsNull() || !cur.IsDefined()) {
      if (last) {
        cur[seg] = value;
      } else {
        YAML::Node next = cur[seg];
        if (!next.IsDefined() || next.IsNull()) {
          // `faults.0.at=1s` on a scenario without faults starts the list.
          const std::string& next_segment = segments[i + 1];
          const bool list_next = !next_segment.empty() && next_segment.find_first_not_of("0123456789") == std::string::npos;
          cur[seg] = YAML::Node(list_next ? YAML::NodeType::Sequence : YAML::NodeType::Map);
          next = cur[seg];
          created.push_back(walked.empty() ? seg : walked + "." + seg);
        }
        cur.reset(next);
      }
    } else {
      throw ScenarioError(where, o.path, fmt::format("'{}' is a single value, not a mapping or list", walked));
    }
    walked += (walked.empty() ? "" : ".") + seg;
  }
  return created;
}

}  // namespace faultline

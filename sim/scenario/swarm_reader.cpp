// swarm: which knobs `faultline swarm` leaves alone or draws from a narrower
// range (sim/run/swarm.hpp). Each key names a knob; its value is `off`, a
// pinned value, or a range "lo..hi" inside the knob's declared range.
#include <fmt/format.h>

#include <cmath>

#include "sim/run/swarm.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

std::vector<SwarmNarrowing> read_swarm(YamlSection& top, const Scenario& s, const ProtocolBinding& binding) {
  std::vector<SwarmNarrowing> out;
  auto section = top.section("swarm");
  if (!section) return out;
  YamlSection& w = *section;
  using Kind = SwarmRange::Kind;
  for (const auto& knob : swarm_knobs(s, binding)) {
    if (!w.has(knob.name)) continue;
    SwarmNarrowing n;
    n.name = knob.name;
    n.where = w.location(knob.name);
    const YAML::Node v = w.raw(knob.name);
    const std::string text = v.IsScalar() ? v.Scalar() : "";
    if (text == "off") {
      n.off = true;
      out.push_back(n);
      continue;
    }
    const std::string expected =
        knob.kind == Kind::kFlag ? "true, false or off"
                                 : fmt::format("off, a value or a range lo..hi within {}..{}",
                                               swarm_value_text(knob, knob.lo), swarm_value_text(knob, knob.hi));
    auto bad = [&]() { w.fail(knob.name, fmt::format("expected {}, got '{}'", expected, v.IsScalar() ? text : "a collection")); };
    if (!v.IsScalar()) bad();
    const auto dots = text.find("..");
    const std::string lo_text = text.substr(0, dots), hi_text = dots == std::string::npos ? lo_text : text.substr(dots + 2);
    auto parse = [&](const std::string& t) -> std::int64_t {
      switch (knob.kind) {
        case Kind::kDuration:
        case Kind::kDurationRange:
          if (const auto d = parse_duration(t)) return *d;
          break;
        case Kind::kFlag:
          if (t == "true") return 1;
          if (t == "false") return 0;
          break;
        case Kind::kInteger:
          try {
            std::size_t used = 0;
            const long long x = std::stoll(t, &used);
            if (used == t.size()) return x;
          } catch (const std::exception&) {
          }
          break;
        case Kind::kPermille:
          try {
            std::size_t used = 0;
            const double p = std::stod(t, &used);
            if (used == t.size() && p >= 0 && p <= 1 && std::fabs(p * 1000 - std::round(p * 1000)) < 1e-9)
              return static_cast<std::int64_t>(std::llround(p * 1000));
          } catch (const std::exception&) {
          }
          break;
      }
      bad();
      return 0;
    };
    if (knob.kind == Kind::kFlag && dots != std::string::npos) bad();
    n.lo = parse(lo_text);
    n.hi = parse(hi_text);
    if (n.lo > n.hi) w.fail(knob.name, "the range's lower end is above its upper end");
    if (n.lo < knob.lo || n.hi > knob.hi)
      w.fail(knob.name, fmt::format("outside the declared range {}..{}: swarm: narrows a knob's range, it does not widen it",
                                    swarm_value_text(knob, knob.lo), swarm_value_text(knob, knob.hi)));
    out.push_back(n);
  }
  w.finish();
  return out;
}

}  // namespace faultline

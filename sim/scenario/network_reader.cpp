// network: latency distributions, loss, duplication, fifo, link overrides.
#include <fmt/format.h>

#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

LatencySpec read_latency(YamlSection& parent, std::string_view key, const LatencySpec& fallback) {
  const YAML::Node n = parent.raw(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  LatencySpec spec;
  if (n.IsScalar()) {  // shorthand: a constant
    spec.kind = LatencySpec::Kind::kConstant;
    const auto d = parse_duration(n.Scalar());
    if (!d) parent.fail(key, fmt::format("expected a duration like 5ms or a mapping with `dist`, got '{}'", n.Scalar()));
    spec.value = *d;
    return spec;
  }
  auto s = parent.section(key);
  const std::string dist =
      s->choice("dist", "", {"constant", "uniform", "normal", "exponential", "lognormal", "pareto"});
  using K = LatencySpec::Kind;
  if (dist.empty()) s->fail("dist", "missing; expected one of constant, uniform, normal, exponential, lognormal, pareto");
  if (dist == "constant") {
    spec.kind = K::kConstant;
    spec.value = s->duration("value", 0, true);
    if (!s->has("value")) s->fail("value", "missing: the constant latency, e.g. value: 5ms");
  } else if (dist == "uniform") {
    spec.kind = K::kUniform;
    spec.min = s->duration("min", spec.min, true);
    spec.max = s->duration("max", spec.max, true);
    if (spec.min > spec.max) s->fail("min", "must not be above max");
  } else if (dist == "normal") {
    spec.kind = K::kNormal;
    spec.mean = s->duration("mean", 0, true);
    spec.stddev = s->duration("stddev", 0, true);
    if (!s->has("mean")) s->fail("mean", "missing: the normal's mean, e.g. mean: 5ms");
  } else if (dist == "exponential") {
    spec.kind = K::kExponential;
    spec.mean = s->duration("mean", 0);
    if (!s->has("mean")) s->fail("mean", "missing: the exponential's mean, e.g. mean: 2ms");
    spec.offset = s->duration("offset", 0, true);
  } else if (dist == "lognormal") {
    spec.kind = K::kLognormal;
    spec.median = s->duration("median", 0);
    if (!s->has("median")) s->fail("median", "missing: the lognormal's median, e.g. median: 3ms");
    spec.sigma = s->number("sigma", 0.5, 0.0, 10.0);
    spec.offset = s->duration("offset", 0, true);
  } else if (dist == "pareto") {
    spec.kind = K::kPareto;
    spec.scale = s->duration("scale", 0);
    if (!s->has("scale")) s->fail("scale", "missing: the Pareto scale (the smallest latency), e.g. scale: 1ms");
    spec.alpha = s->number("alpha", 1.5, 0.0, 100.0);
    if (spec.alpha <= 0.0) s->fail("alpha", "must be above zero");
    spec.offset = s->duration("offset", 0, true);
  }
  s->finish();
  return spec;
}

NetworkSpec read_network(YamlSection& top, const NodeNames& nodes) {
  NetworkSpec net;
  auto s = top.section("network");
  if (!s) return net;
  net.defaults.latency = read_latency(*s, "latency", net.defaults.latency);
  net.defaults.loss = s->probability("loss", 0.0);
  net.defaults.duplicate = s->probability("duplicate", 0.0);
  net.fifo = s->flag("fifo", false);
  for (auto& link : read_list_of_sections(*s, "links")) {
    LinkOverride o;
    o.where = link.location();
    o.from = nodes.read_list(link, "from", true);
    o.to = nodes.read_list(link, "to", true);
    o.symmetric = link.flag("symmetric", true);
    if (link.has("latency")) o.latency = read_latency(link, "latency", net.defaults.latency);
    if (link.has("loss")) o.loss = link.probability("loss", 0.0);
    if (link.has("duplicate")) o.duplicate = link.probability("duplicate", 0.0);
    if (!o.latency && !o.loss && !o.duplicate)
      link.fail("", "a link override must set at least one of latency, loss, duplicate");
    link.finish();
    net.overrides.push_back(std::move(o));
  }
  s->finish();
  return net;
}

}  // namespace faultline

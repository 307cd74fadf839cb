#include "sim/run/swarm.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "protocols/host/rng.hpp"

namespace faultline {

namespace {

using Kind = SwarmRange::Kind;

std::uint64_t name_hash(std::string_view name) {  // FNV-1a, 64 bits
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::string ms_text(std::int64_t ns) {
  return ns % kMillisecond == 0 ? fmt::format("{}ms", ns / kMillisecond) : fmt::format("{}ns", ns);
}

// The nemesis kinds swarm mode can switch on: (knob, YAML kind, leader-targeted).
struct NemesisKind {
  const char* knob;
  const char* kind;
  bool leader;
};
constexpr NemesisKind kNemesisKinds[] = {
    {"nemesis.crash", "crash", false},       {"nemesis.crash_leader", "crash", true},
    {"nemesis.pause", "pause", false},       {"nemesis.partition", "partition", false},
    {"nemesis.isolate", "isolate", false},   {"nemesis.isolate_leader", "isolate", true},
};

// Draws in whole milliseconds when the range holds any (else in ns).
std::int64_t draw_duration(Rng& rng, std::int64_t lo, std::int64_t hi) {
  const std::int64_t lo_ms = (lo + kMillisecond - 1) / kMillisecond, hi_ms = hi / kMillisecond;
  if (lo_ms <= hi_ms) return rng.between(lo_ms, hi_ms) * kMillisecond;
  return rng.between(lo, hi);
}

// How many entries the scenario's `faults` list has as written: the loader
// adds one after each slow_disk with `for` that ends within the run.
std::size_t written_fault_count(const Scenario& s) {
  return s.faults.size() - static_cast<std::size_t>(std::count_if(s.faults.begin(), s.faults.end(), [&](const FaultEvent& f) {
           return f.kind == FaultEvent::Kind::kSlowDisk && f.slow_for > 0 && f.at + f.slow_for <= s.duration;
         }));
}

}  // namespace

std::string swarm_value_text(const SwarmKnob& knob, std::int64_t a, std::int64_t b) {
  switch (knob.kind) {
    case Kind::kDuration: return ms_text(a);
    case Kind::kDurationRange: return ms_text(a) + ".." + ms_text(b);
    case Kind::kInteger: return fmt::format("{}", a);
    case Kind::kPermille: return fmt::format("{}.{:03}", a / 1000, a % 1000);
    case Kind::kFlag: return a ? "true" : "false";
  }
  return "";
}

Time swarm_fault_phase_end(const Scenario& scenario) {
  return scenario.duration / 4 * 3 / kMillisecond * kMillisecond;
}

std::vector<SwarmKnob> swarm_knobs(const Scenario& s, const ProtocolBinding& binding) {
  std::vector<SwarmKnob> knobs;
  for (const auto& r : binding.swarm_ranges)
    knobs.push_back({std::string(r.name), r.kind, r.lo, r.hi, r.min_width_percent});
  // Latency uniform in [a, b], or lognormal with median a; loss,
  // duplication; per-link FIFO (true: no reordering by jitter).
  knobs.push_back({"network.latency", Kind::kDurationRange, 1 * kMillisecond, 20 * kMillisecond});
  knobs.push_back({"network.lognormal", Kind::kFlag, 0, 1});
  knobs.push_back({"network.loss", Kind::kPermille, 0, 50});
  knobs.push_back({"network.duplicate", Kind::kPermille, 0, 30});
  knobs.push_back({"network.fifo", Kind::kFlag, 0, 1});
  if (s.workload) {
    knobs.push_back({"workload.clients", Kind::kInteger, 1, 8});
    knobs.push_back({"workload.rate", Kind::kInteger, 20, 500});
  }
  // Protocols whose nodes elect a leader start them within 0 to 5% of the
  // run of each other (Paxos' proposers have their own start_spread).
  if (binding.has_leader) knobs.push_back({"nodes.start_spread", Kind::kDuration, 0, s.duration / 20});
  // A nemesis strikes every 1% to 10% of the run and heals after 0.5% to 5%.
  const Duration every_lo = std::max<Duration>(kMillisecond, s.duration / 100);
  const Duration every_hi = std::max<Duration>(2 * kMillisecond, s.duration / 10);
  const Duration recover_lo = std::max<Duration>(kMillisecond, s.duration / 200);
  const Duration recover_hi = std::max<Duration>(kMillisecond, s.duration / 20);
  const bool two_nodes = s.node_count() >= 2;
  for (const auto& k : kNemesisKinds) {
    if (k.leader && !binding.has_leader) continue;
    if (!two_nodes && (std::string_view(k.kind) == "partition" || std::string_view(k.kind) == "isolate")) continue;
    knobs.push_back({k.knob, Kind::kFlag, 0, 1});
    knobs.push_back({std::string(k.knob) + ".every", Kind::kDurationRange, every_lo, every_hi});
    knobs.push_back({std::string(k.knob) + ".recover", Kind::kDurationRange, recover_lo, recover_hi});
  }
  return knobs;
}

std::vector<Override> draw_swarm_overrides(const Scenario& s, const ProtocolBinding& binding, std::uint64_t seed) {
  struct Drawn {
    bool drawn = false;  // false: the knob is off (the scenario's own value stays)
    std::int64_t a = 0, b = 0;
    std::string text;
  };
  std::vector<SwarmKnob> knobs = swarm_knobs(s, binding);
  std::vector<Drawn> values(knobs.size());
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    SwarmKnob& k = knobs[i];
    const auto narrowed = std::find_if(s.swarm.begin(), s.swarm.end(), [&](const auto& n) { return n.name == k.name; });
    if (narrowed != s.swarm.end()) {
      if (narrowed->off) continue;
      k.lo = narrowed->lo;
      k.hi = narrowed->hi;
    }
    Rng rng(derive_seed(seed, Stream::kSwarm, name_hash(k.name)));
    Drawn& d = values[i];
    d.drawn = true;
    switch (k.kind) {
      case Kind::kDuration: d.a = draw_duration(rng, k.lo, k.hi); break;
      case Kind::kDurationRange: {
        // b - a >= a * min_width_percent / 100 where [lo, hi] allows it:
        // a from [lo, hi / (1 + pct)], then b from [a (1 + pct), hi].
        const std::int64_t pct = k.min_width_percent;
        const std::int64_t a_hi = pct == 0 ? k.hi : std::max(k.lo, k.hi * 100 / (100 + pct));
        d.a = draw_duration(rng, k.lo, a_hi);
        d.b = draw_duration(rng, std::min(k.hi, d.a + d.a * pct / 100), k.hi);
        break;
      }
      case Kind::kInteger:
      case Kind::kPermille:
      case Kind::kFlag: d.a = rng.between(k.lo, k.hi); break;
    }
    d.text = swarm_value_text(k, d.a, d.b);
  }
  auto value_of = [&](std::string_view name) -> const Drawn* {
    for (std::size_t i = 0; i < knobs.size(); ++i)
      if (knobs[i].name == name) return values[i].drawn ? &values[i] : nullptr;
    return nullptr;
  };

  std::vector<Override> out;
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    const std::string& name = knobs[i].name;
    if (!values[i].drawn || name.starts_with("nemesis.") || name.starts_with("nodes.") || name == "network.lognormal")
      continue;
    if (name == "network.latency") {
      const Drawn* lognormal = value_of("network.lognormal");
      const std::string a = ms_text(values[i].a), b = ms_text(values[i].b);
      out.push_back({name, lognormal && lognormal->a ? fmt::format("{{dist: lognormal, median: {}, sigma: 0.8}}", a)
                                                     : fmt::format("{{dist: uniform, min: {}, max: {}}}", a, b)});
      continue;
    }
    out.push_back({name, values[i].text});
  }

  // The start spread: node i starts at a time drawn in [0, spread] from a
  // stream of its own; one starting later is down from 0 until then, a crash
  // at 0s and a restart, appended to the scenario's faults (a node the
  // scenario itself crashes, restarts, pauses or resumes by then starts at 0).
  if (const Drawn* spread = value_of("nodes.start_spread"); spread && spread->a > 0) {
    std::string late;
    std::vector<std::pair<Time, NodeId>> starts;
    for (NodeId n = 0; n < s.node_count(); ++n) {
      Rng rng(derive_seed(seed, Stream::kSwarm, name_hash(fmt::format("nodes.start_spread.{}", n))));
      const Time at = draw_duration(rng, 0, spread->a);
      const bool named = std::any_of(s.faults.begin(), s.faults.end(), [&](const FaultEvent& f) {
        using F = FaultEvent::Kind;
        const bool node_fault = f.kind == F::kCrash || f.kind == F::kRestart || f.kind == F::kPause || f.kind == F::kResume;
        return node_fault && f.at <= at && std::find(f.nodes.begin(), f.nodes.end(), n) != f.nodes.end();
      });
      if (at == 0 || named) continue;
      late += (late.empty() ? "" : ", ") + s.node_name(n);
      starts.emplace_back(at, n);
    }
    if (!starts.empty()) {
      std::size_t next = written_fault_count(s);
      out.push_back({fmt::format("faults.{}", next++), fmt::format("{{at: 0s, crash: [{}]}}", late)});
      for (const auto& [at, n] : starts)
        out.push_back({fmt::format("faults.{}", next++), fmt::format("{{at: {}, restart: {}}}", ms_text(at), s.node_name(n))});
    }
  }

  // The fault phase: every nemesis switched on stops at its end; the last
  // fault it injected heals within its longest recovery.
  const Time fault_end = swarm_fault_phase_end(s);
  Time healed = fault_end;
  std::string nemeses;
  for (const auto& k : kNemesisKinds) {
    const Drawn* on = value_of(k.knob);
    if (!on || !on->a) continue;
    const Drawn* every = value_of(std::string(k.knob) + ".every");
    const Drawn* recover = value_of(std::string(k.knob) + ".recover");
    if (!every || !recover) continue;
    nemeses += fmt::format("{}{{kind: {}{}, every: {}, recover: {}, stop: {}}}", nemeses.empty() ? "" : ", ", k.kind,
                           k.leader ? ", target: leader" : "", every->text, recover->text, ms_text(fault_end));
    healed = std::max<Time>(healed, fault_end + recover->b);
  }
  out.push_back({"nemesis", "[" + nemeses + "]"});

  // The liveness phase: once everything healed, the protocol must make
  // progress before the run ends.
  std::string liveness;
  const bool load_to_end = s.workload && (!s.workload->stop || *s.workload->stop >= s.duration);
  if (binding.has_clients && load_to_end)
    liveness = fmt::format("{{name: progress after the faults healed, metric: last_ok_ns, min: {}, liveness: true}}",
                           ms_text(healed));
  else
    liveness = binding.swarm_liveness;  // the protocol's own (ProtocolBinding::swarm_liveness), or none
  out.push_back({"expect", "[" + liveness + "]"});
  if (s.expect_failure) out.push_back({"expect_failure", "null"});
  return out;
}

}  // namespace faultline

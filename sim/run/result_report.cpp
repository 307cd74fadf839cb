#include "sim/run/result_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/json/json_writer.hpp"
#include "sim/run/expectations.hpp"

namespace faultline {

namespace {

// Quotes a shell word when it needs it.
std::string shell_word(const std::string& w) {
  const bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
  });
  if (plain) return w;
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string time_text(Time ns) { return format_metric_value("t_ns", static_cast<double>(ns)); }

}  // namespace

std::string reproduce_command(const std::string& scenario_path, std::uint64_t seed,
                              const std::vector<Override>& overrides) {
  std::string cmd = fmt::format("faultline run {} --seed {}", shell_word(scenario_path), seed);
  for (const auto& o : overrides) cmd += " --set " + shell_word(o.path + "=" + o.value);
  return cmd;
}

std::string failure_reasons(const RunResult& run) {
  std::string why;
  for (const auto& v : run.violations) why += fmt::format(" {} violated;", v.invariant);
  for (const auto& e : run.expectations)
    if (!e.ok) why += fmt::format(" '{}' failed ({});", e.name, e.detail);
  return why;
}

std::string result_summary(const RunResult& r, const std::string& reproduce) {
  fmt::memory_buffer out;
  auto line = [&]<class... A>(fmt::format_string<A...> format, A&&... args) {
    fmt::format_to(std::back_inserter(out), format, std::forward<A>(args)...);
    out.push_back('\n');
  };
  line("scenario   {} ({}), protocol {}, seed {}", r.scenario, r.path, r.protocol, r.seed);
  line("ran        {} of virtual time, {} events, stopped by {}, {} wall", time_text(r.virtual_time_ns), r.events,
       r.stop_reason, format_metric_value("wall_ns", r.wall_seconds * 1e9));
  std::string drops;
  for (const auto& [reason, n] : r.drops_by_reason) drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ", n, reason);
  line("messages   {} sent ({} bytes), {} delivered, {} dropped{}{}, {} in flight at the end", r.messages_sent,
       r.bytes_sent, r.messages_delivered, r.messages_dropped, drops.empty() ? "" : " (" + drops + ")",
       r.messages_duplicated ? fmt::format(", {} duplicated", r.messages_duplicated) : "", r.messages_in_flight);
  line("trace hash {:016x}", r.trace_hash);
  if (!r.metrics.empty()) {
    line("metrics");
    for (const auto& [name, metric] : r.metrics) {
      const auto& samples = metric.samples;
      if (samples.empty()) {
        line("  {:<28} (no samples)", name);
      } else if (!metric.series || samples.size() == 1) {
        line("  {:<28} {}{}", name, format_metric_value(name, samples[0]), metric.series ? " (1 sample)" : "");
      } else {
        const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
        double sum = 0;
        for (double s : samples) sum += s;
        line("  {:<28} {} samples, min {}, mean {}, max {}", name, samples.size(), format_metric_value(name, *lo),
             format_metric_value(name, sum / samples.size()), format_metric_value(name, *hi));
      }
    }
  }
  if (!r.expectations.empty()) {
    line("expectations");
    for (const auto& e : r.expectations)
      line("  [{}] {} ({})", e.ok ? "ok" : e.expected_to_fail ? "failed, as declared" : "FAILED", e.name, e.detail);
  }
  if (!r.violations.empty()) {
    line("violations");
    for (const auto& v : r.violations)
      line("  at {} {}{}: {}", time_text(v.time), v.invariant, v.node.empty() ? "" : " on " + v.node, v.message);
  }
  if (r.expected_failure) line("expected   {}", r.expected_failure->detail);
  line("result     {}", r.ok() ? "ok" : r.failed_liveness_only() ? "FAILED (liveness)" : "FAILED");
  if (!r.ok()) line("reproduce  {}", reproduce);
  return fmt::to_string(out);
}

std::string result_json(const RunResult& r, const std::string& reproduce) {
  JsonWriter j;
  j.begin_object();
  j.key("scenario").value(r.scenario);
  j.key("path").value(r.path);
  j.key("protocol").value(r.protocol);
  j.key("seed").value(r.seed);
  j.key("ok").value(r.ok());
  j.key("virtual_time_ns").value(static_cast<std::int64_t>(r.virtual_time_ns));
  j.key("events").value(r.events);
  j.key("messages_sent").value(r.messages_sent);
  j.key("messages_delivered").value(r.messages_delivered);
  j.key("messages_dropped").value(r.messages_dropped);
  j.key("messages_duplicated").value(r.messages_duplicated);
  j.key("messages_in_flight").value(r.messages_in_flight);
  j.key("bytes_sent").value(r.bytes_sent);
  j.key("drops_by_reason").begin_object();
  for (const auto& [reason, n] : r.drops_by_reason) j.key(reason).value(n);
  j.end_object();
  j.key("trace_hash").value(fmt::format("{:016x}", r.trace_hash));
  j.key("stop_reason").value(r.stop_reason);
  j.key("violations").begin_array();
  for (const auto& v : r.violations) {
    j.begin_object();
    j.key("time_ns").value(static_cast<std::int64_t>(v.time));
    j.key("node").value(v.node);
    j.key("invariant").value(v.invariant);
    j.key("message").value(v.message);
    j.end_object();
  }
  j.end_array();
  j.key("expectations").begin_array();
  for (const auto& e : r.expectations) {
    j.begin_object();
    j.key("name").value(e.name);
    j.key("ok").value(e.ok);
    j.key("detail").value(e.detail);
    if (e.expected_to_fail) j.key("expected_to_fail").value(true);
    j.end_object();
  }
  j.end_array();
  if (r.expected_failure) {
    j.key("expected_failure").begin_object();
    j.key("as_declared").value(r.expected_failure->as_declared);
    j.key("detail").value(r.expected_failure->detail);
    j.end_object();
  }
  j.key("metrics").begin_object();
  for (const auto& [name, metric] : r.metrics) {
    j.key(name);
    const auto& samples = metric.samples;
    if (!metric.series && samples.size() == 1) {
      j.value(samples[0]);
    } else {
      j.begin_array();
      for (double s : samples) j.value(s);
      j.end_array();
    }
  }
  j.end_object();
  j.key("wall_seconds").value(r.wall_seconds);
  if (!r.ok()) j.key("reproduce").value(reproduce);
  j.end_object();
  return j.str();
}

}  // namespace faultline

#include "sim/run/sweep_record.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/json/json_writer.hpp"
#include "sim/run/expectations.hpp"
#include "sim/run/result_report.hpp"
#include "sim/run/sweep.hpp"
#include "sim/scenario/scenario_error.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

namespace {

std::string range_text(std::uint64_t a, std::uint64_t b) { return fmt::format("{}..{}", a, b); }

// Reads the JSON (a YAML flow document) with errors naming the file, line and key.
class RecordReader {
 public:
  explicit RecordReader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& why) const {
    const auto mark = at.Mark();
    throw ScenarioError({path_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0}, key,
                        why);
  }
  YAML::Node field(const YAML::Node& object, const std::string& key) const {
    if (!object.IsMap()) fail(object, key, "expected an object");
    const YAML::Node v = object[key];
    if (!v) fail(object, key, "missing (not a faultline sweep result?)");
    return v;
  }
  std::string text(const YAML::Node& object, const std::string& key) const {
    const YAML::Node v = field(object, key);
    if (!v.IsScalar()) fail(v, key, "expected a string");
    return v.Scalar();
  }
  std::uint64_t whole(const YAML::Node& v, const std::string& key) const {
    if (!v.IsScalar()) fail(v, key, "expected a whole number");
    const std::string& s = v.Scalar();
    char* end = nullptr;
    errno = 0;
    const auto n = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || s[0] == '-' || *end != '\0' || errno != 0) fail(v, key, fmt::format("expected a whole number, got '{}'", s));
    return n;
  }
  std::int64_t integer(const YAML::Node& v, const std::string& key) const {
    const std::string& s = v.IsScalar() ? v.Scalar() : std::string();
    char* end = nullptr;
    errno = 0;
    const auto n = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno != 0) fail(v, key, fmt::format("expected an integer, got '{}'", s));
    return n;
  }
  double number(const YAML::Node& v, const std::string& key) const {
    const std::string& s = v.IsScalar() ? v.Scalar() : std::string();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);  // round-trips fmt's shortest form exactly
    if (s.empty() || *end != '\0') fail(v, key, fmt::format("expected a number, got '{}'", s));
    return d;
  }
  std::pair<std::uint64_t, std::uint64_t> range(const YAML::Node& object, const std::string& key) const {
    const std::string s = text(object, key);
    const auto dots = s.find("..");
    std::uint64_t a = 0, b = 0;
    auto parse = [&](const std::string& part, std::uint64_t& out) {
      char* end = nullptr;
      errno = 0;
      out = std::strtoull(part.c_str(), &end, 10);
      return !part.empty() && part[0] != '-' && *end == '\0' && errno == 0;
    };
    if (dots == std::string::npos || !parse(s.substr(0, dots), a) || !parse(s.substr(dots + 2), b) || a > b)
      fail(field(object, key), key, fmt::format("expected a seed range A..B, got '{}'", s));
    return {a, b};
  }

 private:
  std::string path_;
};

}  // namespace

std::string scenario_content_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path, 0, 0}, "", fmt::format("cannot read: {}", std::strerror(errno)));
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) {
    h ^= static_cast<unsigned char>(*it);
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

std::string sweep_record_json(const SweepRecord& r) {
  JsonWriter j;
  j.begin_object();
  j.key("format").value(kSweepRecordFormat);
  j.key("faultline_version").value(r.faultline_version);
  j.key("scenario").value(r.scenario);
  j.key("path").value(r.path);
  j.key("protocol").value(r.protocol);
  j.key("scenario_fnv1a64").value(r.scenario_hash);
  j.key("overrides").begin_array();
  for (const auto& o : r.overrides) j.value(o);
  j.end_array();
  j.key("seeds").value(range_text(r.first_seed, r.last_seed));
  j.key("shard").value(fmt::format("{}/{}", r.shard_index, r.shard_count));
  j.key("shard_seeds").value(range_text(r.shard_first, r.shard_last));
  j.key("runs").value(r.runs);
  j.key("failed").begin_array();
  for (const auto& f : r.failed) {
    j.begin_object();
    j.key("seed").value(f.seed);
    j.key("reasons").value(f.reasons);
    j.end_object();
  }
  j.end_array();
  j.key("metrics").begin_object();
  for (const auto& [name, d] : r.metrics) {
    j.key(name).begin_object();
    j.key("count").value(d.count);
    j.key("sum").value(d.sum.text());
    j.key("min").value(d.min);
    j.key("max").value(d.max);
    j.key("buckets").begin_array();
    for (const auto& [bucket, n] : d.buckets) {
      j.begin_array();
      j.value(static_cast<std::int64_t>(bucket));
      j.value(n);
      j.end_array();
    }
    j.end_array();
    j.end_object();
  }
  j.end_object();
  j.end_object();
  return j.str() + "\n";
}

SweepRecord read_sweep_record(const std::string& path) {
  YAML::Node root;
  {
    std::ifstream probe(path);
    if (!probe)
      throw ScenarioError({path, 0, 0}, "", fmt::format("cannot read the shard result: {}", std::strerror(errno)));
  }
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw ScenarioError({path, e.mark.line + 1, e.mark.column + 1}, "",
                        fmt::format("not a faultline sweep result (cannot parse: {})", e.msg));
  }
  const RecordReader in(path);
  if (!root.IsMap()) in.fail(root, "", "not a faultline sweep result (expected a JSON object)");
  if (in.text(root, "format") != kSweepRecordFormat)
    in.fail(root["format"], "format",
            fmt::format("'{}' is not {}, the format this faultline reads", in.text(root, "format"), kSweepRecordFormat));
  SweepRecord r;
  r.faultline_version = in.text(root, "faultline_version");
  r.scenario = in.text(root, "scenario");
  r.path = in.text(root, "path");
  r.protocol = in.text(root, "protocol");
  r.scenario_hash = in.text(root, "scenario_fnv1a64");
  const YAML::Node overrides = in.field(root, "overrides");
  if (!overrides.IsSequence()) in.fail(overrides, "overrides", "expected an array of strings");
  for (const auto& o : overrides) {
    if (!o.IsScalar()) in.fail(o, "overrides", "expected a string");
    r.overrides.push_back(o.Scalar());
  }
  std::tie(r.first_seed, r.last_seed) = in.range(root, "seeds");
  std::tie(r.shard_first, r.shard_last) = in.range(root, "shard_seeds");
  const std::string shard = in.text(root, "shard");
  const auto slash = shard.find('/');
  if (slash == std::string::npos) in.fail(root["shard"], "shard", fmt::format("expected K/N, got '{}'", shard));
  r.shard_index = in.whole(YAML::Node(shard.substr(0, slash)), "shard");
  r.shard_count = in.whole(YAML::Node(shard.substr(slash + 1)), "shard");
  if (r.shard_count == 0 || r.shard_index >= r.shard_count)
    in.fail(root["shard"], "shard", fmt::format("expected K/N with K < N, got '{}'", shard));
  if (r.shard_first < r.first_seed || r.shard_last > r.last_seed)
    in.fail(root["shard_seeds"], "shard_seeds", "outside the sweep's seeds");
  r.runs = in.whole(in.field(root, "runs"), "runs");
  if (r.runs != r.shard_last - r.shard_first + 1)
    in.fail(root["runs"], "runs", fmt::format("{} runs for the {} seeds of shard_seeds", r.runs,
                                              r.shard_last - r.shard_first + 1));
  const YAML::Node failed = in.field(root, "failed");
  if (!failed.IsSequence()) in.fail(failed, "failed", "expected an array");
  for (const auto& f : failed) {
    FailedSeed s{in.whole(in.field(f, "seed"), "failed.seed"), in.text(f, "reasons")};
    if (s.seed < r.shard_first || s.seed > r.shard_last || (!r.failed.empty() && s.seed <= r.failed.back().seed))
      in.fail(f, "failed.seed", fmt::format("seed {} is outside shard_seeds or out of order", s.seed));
    r.failed.push_back(std::move(s));
  }
  const YAML::Node metrics = in.field(root, "metrics");
  if (!metrics.IsMap()) in.fail(metrics, "metrics", "expected an object");
  for (const auto& m : metrics) {
    const std::string name = m.first.Scalar();
    const std::string key = "metrics." + name;
    MetricDigest d;
    d.count = in.whole(in.field(m.second, "count"), key + ".count");
    if (!ExactSum::parse(in.text(m.second, "sum"), d.sum)) in.fail(m.second["sum"], key + ".sum", "not an exact sum");
    d.min = in.number(in.field(m.second, "min"), key + ".min");
    d.max = in.number(in.field(m.second, "max"), key + ".max");
    const YAML::Node buckets = in.field(m.second, "buckets");
    if (!buckets.IsSequence()) in.fail(buckets, key + ".buckets", "expected an array of [bucket, samples]");
    std::uint64_t total = 0;
    for (const auto& b : buckets) {
      if (!b.IsSequence() || b.size() != 2) in.fail(b, key + ".buckets", "expected [bucket, samples]");
      const std::uint64_t n = in.whole(b[1], key + ".buckets");
      d.buckets[in.integer(b[0], key + ".buckets")] += n;
      total += n;
    }
    if (total != d.count)
      in.fail(buckets, key + ".buckets", fmt::format("the buckets hold {} samples, count says {}", total, d.count));
    r.metrics[name] = std::move(d);
  }
  return r;
}

std::string sweep_summary_text(const SweepRecord& r) {
  std::string out = fmt::format("runs       {}, {} failed\n", r.runs, r.failed.size());
  out += fmt::format("{:<28} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "metric", "samples", "min", "p50",
                     "p90", "p99", "max", "mean");
  for (const auto& [name, digest] : r.metrics) {
    if (digest.count == 0) continue;
    const MetricStats m = digest.stats();
    auto f = [&](double v) { return format_metric_value(name, v); };
    out += fmt::format("{:<28} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", name, m.count, f(m.min), f(m.p50),
                       f(m.p90), f(m.p99), f(m.max), f(m.mean));
  }
  std::vector<Override> overrides;
  for (const auto& o : r.overrides) overrides.push_back(parse_override(o));
  for (const auto& s : r.failed)
    out += fmt::format("FAILED seed {}:{}\n  reproduce: {}\n", s.seed, s.reasons,
                       reproduce_command(r.path, s.seed, overrides));
  return out;
}

}  // namespace faultline

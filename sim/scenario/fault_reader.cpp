// faults: the fixed timeline. Each entry is `at` plus exactly one fault key.
// The timeline is replayed per node before anything runs, so a fault that
// cannot apply (restart a running node, resume one that is not paused) is an
// input error, not a surprise in the middle of a run.
#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

const std::vector<std::string> kFaultKinds = {"crash",   "restart", "pause", "resume",     "partition",     "one_way",
                                              "isolate", "heal",    "drift", "add_server", "remove_server",
                                              "transfer_leader", "slow_disk"};

std::string time_text(Time t) {
  if (t % kSecond == 0) return fmt::format("{}s", t / kSecond);
  if (t % kMillisecond == 0) return fmt::format("{}ms", t / kMillisecond);
  return fmt::format("{}ns", t);
}

const char* kind_key_of(FaultEvent::Kind k) { return k == FaultEvent::Kind::kCrash ? "crash" : "pause"; }

bool has_leader_target(const std::vector<NodeId>& ids) {
  return std::find(ids.begin(), ids.end(), kLeaderTarget) != ids.end();
}

FaultEvent read_one(YamlSection& f, const NodeNames& nodes, Duration run_length, bool has_leader,
                    bool has_membership, bool has_disk) {
  FaultEvent e;
  e.where = f.location();
  if (!f.has("at")) f.fail("at", "missing: when the fault happens, e.g. at: 2s");
  e.at = f.duration("at", 0, true);
  if (e.at > run_length)
    f.fail("at", fmt::format("{} is after the end of the run ({})", time_text(e.at), time_text(run_length)));

  std::vector<std::string> present;
  for (const auto& kind : kFaultKinds)
    if (f.has(kind)) present.push_back(kind);
  if (present.size() > 1)
    f.fail(present[1], fmt::format("one fault per entry: this one has both '{}' and '{}'", present[0], present[1]));
  if (present.empty()) {
    // An unknown key is the likely cause: say which, with a did-you-mean.
    for (const auto& kv : f.node()) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (key == "at") continue;
      const std::string hint = did_you_mean(key, kFaultKinds);
      f.fail(key, fmt::format("unknown fault '{}'{}; a fault is one of crash, restart, pause, resume, partition, "
                              "one_way, isolate, heal, drift, add_server, remove_server, transfer_leader, slow_disk", key, hint.empty() ? "" : "; " + hint));
    }
    f.fail("", "missing the fault: add one of crash, restart, pause, resume, partition, one_way, isolate, heal, drift, "
               "add_server, remove_server, transfer_leader, slow_disk");
  }
  const std::string kind = present[0];
  using K = FaultEvent::Kind;
  // `leader` (isolate, partition groups, one_way sides) is resolved when the
  // fault applies; only a protocol with a leader can use it.
  auto no_leader_here = [&](const std::string& key, bool uses_leader) {
    if (uses_leader && !has_leader)
      f.fail(key, "'leader' targets the protocol's current leader, and this protocol has none (raft has one)");
  };
  if (kind == "crash" || kind == "restart" || kind == "pause" || kind == "resume" || kind == "isolate") {
    e.kind = kind == "crash" ? K::kCrash : kind == "restart" ? K::kRestart : kind == "pause" ? K::kPause
           : kind == "resume" ? K::kResume : K::kIsolate;
    const bool undoable = e.kind == K::kCrash || e.kind == K::kPause;
    if (undoable && f.raw(kind).IsMap()) {
      // {nodes: leader, for: 2s}: the nodes it hits restart (resume) after
      // `for`, the leader's included, whichever node that was.
      auto s = f.section(kind);
      if (!s->has("nodes")) s->fail("nodes", fmt::format("missing: what to {}, e.g. {}: {{nodes: leader, for: 2s}}", kind, kind));
      e.nodes = nodes.read_list(*s, "nodes", false, true);
      if (has_leader_target(e.nodes) && !has_leader)
        s->fail("nodes", "'leader' targets the protocol's current leader, and this protocol has none (raft has one)");
      if (!s->has("for"))
        s->fail("for", fmt::format("missing: how long until the nodes {}, e.g. for: 2s", e.kind == K::kCrash ? "restart" : "resume"));
      e.undo_after = s->duration("for", 0);  // may end after the run: then it is not undone
      s->finish();
    } else {
      if (!undoable && e.kind != K::kIsolate && has_leader && !nodes.find("leader")) {
        // The leader a crash hit leads no more: name the node, or give the crash a `for`.
        const YAML::Node v = f.raw(kind);
        bool leader = v.IsScalar() && v.Scalar() == "leader";
        if (v.IsSequence())
          for (const auto& item : v) leader |= item.IsScalar() && item.Scalar() == "leader";
        if (leader)
          f.fail(kind, fmt::format("'{}: leader' cannot say which node: the leader {} no longer leads. Name the "
                                   "node, or undo it with the fault: {}: {{nodes: leader, for: 2s}}",
                                   kind, e.kind == K::kRestart ? "a crash hit" : "a pause hit",
                                   e.kind == K::kRestart ? "crash" : "pause"));
      }
      e.nodes = nodes.read_list(f, kind, false, e.kind != K::kRestart && e.kind != K::kResume);
      no_leader_here(kind, has_leader_target(e.nodes));
    }
  } else if (kind == "partition") {
    e.kind = K::kPartition;
    const YAML::Node groups = f.raw("partition");
    if (groups.IsMap()) {
      // {leader_side: K}: the leader and the K-1 nodes after it by id
      // (wrapping around) against the rest.
      auto s = f.section("partition");
      if (!s->has("leader_side"))
        s->fail("leader_side", "missing: the size of the leader's side, e.g. partition: {leader_side: 2}");
      if (nodes.count() < 2) s->fail("leader_side", "a partition needs at least 2 nodes");
      e.leader_side = static_cast<NodeId>(s->integer("leader_side", 1, 1, nodes.count() - 1));
      no_leader_here("partition", true);
      s->finish();
      f.finish();
      return e;
    }
    if (!groups.IsSequence() || groups.size() == 0)
      f.fail("partition", "expected a list of groups, e.g. partition: [[n0, n1], [n2, n3, n4]], or {leader_side: 2}");
    std::vector<bool> seen;
    for (const auto& g : groups) {
      if (g.size() > 254) fail_at(g, f, "partition", f.key_path("partition"), "at most 254 groups");
      auto ids = nodes.read_list_node(g, f, "partition", false, true);
      if (has_leader_target(ids)) {
        no_leader_here("partition", true);
        for (const auto& other : e.groups)
          if (has_leader_target(other)) fail_at(g, f, "partition", f.key_path("partition"), "'leader' is in two groups");
      }
      for (NodeId id : ids) {
        if (id == kLeaderTarget) continue;
        if (seen.size() <= id) seen.resize(id + 1, false);
        if (seen[id]) fail_at(g, f, "partition", f.key_path("partition"), "groups overlap: a node is in two groups");
        seen[id] = true;
      }
      e.groups.push_back(std::move(ids));
    }
    if (groups.size() > 254) f.fail("partition", "at most 254 groups");
  } else if (kind == "one_way") {
    e.kind = K::kOneWay;
    auto s = f.section("one_way");
    if (!s) f.fail("one_way", "expected {from: [..], to: [..]}");
    e.from = nodes.read_list(*s, "from", true, true);
    e.to = nodes.read_list(*s, "to", true, true);
    no_leader_here("one_way", has_leader_target(e.from) || has_leader_target(e.to));
    if (has_leader_target(e.from) && has_leader_target(e.to))
      s->fail("to", "'leader' cannot be on both sides of a one-way cut");
    // Sorted copies keep the overlap check linear-logarithmic with `all` on huge clusters.
    // (`leader` is checked above; at run time it leaves the other side.)
    std::vector<NodeId> from_sorted = e.from, to_sorted = e.to;
    std::sort(from_sorted.begin(), from_sorted.end());
    std::sort(to_sorted.begin(), to_sorted.end());
    std::vector<NodeId> both;
    std::set_intersection(from_sorted.begin(), from_sorted.end(), to_sorted.begin(), to_sorted.end(),
                          std::back_inserter(both));
    if (!both.empty())
      s->fail("to", fmt::format("{} cannot be on both sides of a one-way cut", nodes.name(both.front())));
    s->finish();
  } else if (kind == "heal") {
    e.kind = K::kHeal;
    const YAML::Node v = f.raw("heal");
    bool yes = false;
    if (!(v.IsScalar() && (v.Scalar() == "all" || (YAML::convert<bool>::decode(v, yes) && yes))))
      f.fail("heal", "expected heal: all");
  } else if (kind == "add_server" || kind == "remove_server" || kind == "transfer_leader") {
    if (!has_membership)
      f.fail(kind, fmt::format("'{}' asks the protocol to change its membership, and this protocol cannot (raft can)", kind));
    e.kind = kind == "add_server" ? K::kAddServer : kind == "remove_server" ? K::kRemoveServer : K::kTransferLeader;
    e.nodes = nodes.read_list(f, kind, false, false);
    if (e.nodes.size() != 1) f.fail(kind, "names exactly one server");
  } else if (kind == "drift") {
    e.kind = K::kDrift;
    auto s = f.section("drift");
    if (!s) f.fail("drift", "expected {nodes: n1, factor: 1.05}");
    e.nodes = nodes.read_list(*s, "nodes", false);
    if (!s->has("factor")) s->fail("factor", "missing: the clock rate, e.g. factor: 1.05 (5% fast)");
    const double factor = s->number("factor", 1.0, -1e9, 1e9);
    if (factor <= 0.0 || factor > 100.0) s->fail("factor", fmt::format("must be above 0 and at most 100, got {}", factor));
    e.drift_ppm = static_cast<std::int64_t>(std::llround(factor * 1e6));
    if (e.drift_ppm <= 0) s->fail("factor", "too small");
    s->finish();
  } else if (kind == "slow_disk") {
    e.kind = K::kSlowDisk;
    if (!has_disk)
      f.fail("slow_disk", "slow_disk slows syncs by a factor, and this scenario's syncs take no time: add a "
                          "`disk:` section with a sync latency, e.g. disk: {sync: 5ms}");
    auto s = f.section("slow_disk");
    if (!s) f.fail("slow_disk", "expected {nodes: n1, factor: 10, for: 3s}");
    e.nodes = nodes.read_list(*s, "nodes", true);
    if (!s->has("factor")) s->fail("factor", "missing: how many times slower a sync is, e.g. factor: 10");
    const double factor = s->number("factor", 1.0, -1e9, 1e9);
    if (factor < 1.0 || factor > 1000.0) s->fail("factor", fmt::format("must be at least 1 and at most 1000, got {}", factor));
    e.disk_factor_permille = static_cast<std::int64_t>(std::llround(factor * 1000.0));
    e.slow_for = s->duration("for", 0);
    s->finish();
  }
  f.finish();
  return e;
}

// Replays each node's process state through the timeline.
void check_timeline(const std::vector<FaultEvent>& faults, const std::vector<YamlSection>& entries,
                    const std::vector<std::size_t>& order, const NodeNames& nodes, Duration run_length) {
  enum class State : std::uint8_t { kRunning, kPaused, kCrashed };
  std::map<NodeId, State> state;  // absent: running
  auto text = [](State s) { return s == State::kRunning ? "running" : s == State::kPaused ? "paused" : "crashed"; };
  using K = FaultEvent::Kind;
  // A crash or pause with `for` is undone at at + for, after the entries
  // written for that time (the simulation queues the undo when it applies).
  struct Step {
    Time at;
    std::size_t entry;
    bool undo;
  };
  std::vector<Step> steps;
  for (std::size_t i : order) steps.push_back({faults[i].at, i, false});
  for (std::size_t i : order)
    if (faults[i].undo_after > 0 && faults[i].at + faults[i].undo_after <= run_length) steps.push_back({faults[i].at + faults[i].undo_after, i, true});
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    return a.at != b.at ? a.at < b.at : !a.undo && b.undo;
  });
  for (const Step& step : steps) {
    const std::size_t i = step.entry;
    FaultEvent f = faults[i];
    if (step.undo) f.kind = f.kind == K::kCrash ? K::kRestart : K::kResume;
    const char* key = nullptr;
    for (NodeId n : f.nodes) {
      // `leader` is known only when the fault applies; a named fault on the
      // node it hit is skipped then (traced as skipped).
      if (n == kLeaderTarget) continue;
      State& s = state.try_emplace(n, State::kRunning).first->second;
      std::string problem;
      switch (f.kind) {
        case K::kCrash:
          key = "crash";
          if (s == State::kCrashed) problem = "it has already crashed";
          else s = State::kCrashed;
          break;
        case K::kRestart:
          key = "restart";
          if (s != State::kCrashed) problem = fmt::format("it is {}; only a crashed node can restart", text(s));
          else s = State::kRunning;
          break;
        case K::kPause:
          key = "pause";
          if (s != State::kRunning) problem = fmt::format("it is {}; only a running node can pause", text(s));
          else s = State::kPaused;
          break;
        case K::kResume:
          key = "resume";
          if (s != State::kPaused) problem = fmt::format("it is {}; only a paused node can resume", text(s));
          else s = State::kRunning;
          break;
        default:
          break;
      }
      if (!problem.empty() && step.undo)
        entries[i].fail(kind_key_of(faults[i].kind),
                        fmt::format("{} {} at {} for {}: the {} at {} finds it {}", kind_key_of(faults[i].kind),
                                    nodes.name(n), time_text(faults[i].at), time_text(faults[i].undo_after), key,
                                    time_text(step.at), text(s)));
      if (!problem.empty())
        entries[i].fail(key, fmt::format("{} {} at {}: {}", key, nodes.name(n), time_text(f.at), problem));
    }
  }
}

// A node's disk is slow for one interval at a time: intervals of slow_disk
// entries on the same node must not overlap (the end of one would cut the
// other short).
void check_slow_disk_intervals(const std::vector<FaultEvent>& faults, const std::vector<YamlSection>& entries,
                               const std::vector<std::size_t>& order, const NodeNames& nodes, Duration run_length) {
  std::map<NodeId, std::pair<Time, Time>> slow_until;  // node -> (since, until) of its latest interval
  for (std::size_t i : order) {
    const FaultEvent& f = faults[i];
    if (f.kind != FaultEvent::Kind::kSlowDisk) continue;
    const Time until = f.slow_for > 0 ? f.at + f.slow_for : run_length + 1;
    for (NodeId n : f.nodes) {
      auto [it, fresh] = slow_until.try_emplace(n, f.at, until);
      if (!fresh && it->second.second > f.at)
        entries[i].fail("slow_disk", fmt::format("slow_disk {} at {}: its disk is already slow (since {}{})",
                                                 nodes.name(n), time_text(f.at), time_text(it->second.first),
                                                 it->second.second > run_length
                                                     ? ", to the end of the run"
                                                     : ", until " + time_text(it->second.second)));
      it->second = {f.at, until};
    }
  }
}

}  // namespace

std::vector<FaultEvent> read_faults(YamlSection& top, const NodeNames& nodes, Duration run_length, bool has_leader,
                                    bool has_membership, bool has_disk) {
  auto entries = read_list_of_sections(top, "faults");
  std::vector<FaultEvent> faults;
  for (auto& entry : entries) faults.push_back(read_one(entry, nodes, run_length, has_leader, has_membership, has_disk));
  std::vector<std::size_t> order(faults.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return faults[a].at < faults[b].at; });
  check_timeline(faults, entries, order, nodes, run_length);
  check_slow_disk_intervals(faults, entries, order, nodes, run_length);
  // A slow_disk with `for` ends with an entry of its own that sets the
  // factor back to 1, placed before the entries written for that time (so
  // an interval may start where the last one ends).
  const std::size_t written = faults.size();
  for (std::size_t i = 0; i < written; ++i) {
    const FaultEvent& f = faults[i];
    if (f.kind != FaultEvent::Kind::kSlowDisk || f.slow_for == 0 || f.at + f.slow_for > run_length) continue;
    FaultEvent end = f;
    end.at = f.at + f.slow_for;
    end.disk_factor_permille = 1000;
    end.slow_for = 0;
    faults.push_back(std::move(end));
    order.push_back(faults.size() - 1);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (faults[a].at != faults[b].at) return faults[a].at < faults[b].at;
    return a >= written && b < written;  // a generated end first
  });
  std::vector<FaultEvent> sorted;
  for (std::size_t i : order) sorted.push_back(std::move(faults[i]));
  return sorted;
}

}  // namespace faultline

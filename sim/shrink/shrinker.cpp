#include "sim/shrink/shrinker.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <deque>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/binding/protocol_registry.hpp"
#include "sim/shrink/scenario_document.hpp"

namespace faultline {

namespace {

using Clock = std::chrono::steady_clock;

// One timeline entry of a candidate. `order` keeps the original run's order
// among entries at the same time: the file's entries first (the engine queues
// them before anything else), then the nemesis's actions as they happened.
struct TimedFault {
  FaultEvent fault;
  std::size_t order = 0;
  bool written = true;  // false: the end of a slow_disk `for`, which the loader adds itself
};

// A fault and the entry that undoes it (crash/restart, pause/resume, a cut and
// the heal after it, add_server/remove_server of one server), removed together so the timeline stays one the loader
// accepts. faults[0] is the earliest.
struct Unit {
  std::vector<TimedFault> faults;
};

struct Candidate {
  std::vector<Unit> units;
  Duration duration = 0;
  NodeId nodes = 0;
  bool workload = false;
  std::uint32_t clients = 0;
  double rate = 0.0;
};

std::size_t written_faults(const Candidate& c) {
  std::size_t n = 0;
  for (const auto& u : c.units)
    for (const auto& f : u.faults) n += f.written ? 1 : 0;
  return n;
}

std::string seconds_text(Time t) { return fmt::format("{:.3f}s", static_cast<double>(t) / 1e9); }

// Groups the timeline (sorted by time, then order) into units.
std::vector<Unit> pair_into_units(std::vector<TimedFault> all) {
  using K = FaultEvent::Kind;
  std::stable_sort(all.begin(), all.end(), [](const TimedFault& a, const TimedFault& b) {
    return a.fault.at != b.fault.at ? a.fault.at < b.fault.at : a.order < b.order;
  });
  std::vector<Unit> units;
  std::map<NodeId, std::size_t> crashed, paused;  // node -> its open unit
  std::map<NodeId, std::size_t> added, removed;    // membership: a server's change and the next that reverses it
  std::deque<std::size_t> cuts;                    // open partitions, one-way cuts, isolations
  std::vector<bool> taken(all.size(), false);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (taken[i]) continue;
    const FaultEvent& f = all[i].fault;
    const bool one = f.nodes.size() == 1;
    auto attach = [&](std::map<NodeId, std::size_t>& open) {
      if (auto it = open.find(f.nodes[0]); it != open.end()) {
        units[it->second].faults.push_back(all[i]);
        open.erase(it);
        return true;
      }
      return false;
    };
    if (f.kind == K::kRestart && one && attach(crashed)) continue;
    if (f.kind == K::kResume && one && attach(paused)) continue;
    // remove_server X undoes add_server X (and the reverse): dropped
    // together, the membership outside the pair's interval is unchanged.
    if (f.kind == K::kRemoveServer && one && attach(added)) continue;
    if (f.kind == K::kAddServer && one && attach(removed)) continue;
    if (f.kind == K::kHeal && !cuts.empty()) {
      units[cuts.front()].faults.push_back(all[i]);
      cuts.pop_front();
      continue;
    }
    units.push_back(Unit{{all[i]}});
    const std::size_t u = units.size() - 1;
    // A crash or pause with `for` undoes itself: a unit of its own.
    const bool named = one && f.nodes[0] != kLeaderTarget && f.undo_after == 0;
    if (f.kind == K::kCrash && named) crashed[f.nodes[0]] = u;
    if (f.kind == K::kPause && named) paused[f.nodes[0]] = u;
    if (f.kind == K::kAddServer && one) added[f.nodes[0]] = u;
    if (f.kind == K::kRemoveServer && one) removed[f.nodes[0]] = u;
    if (f.kind == K::kPartition || f.kind == K::kOneWay || f.kind == K::kIsolate) cuts.push_back(u);
    if (f.kind == K::kSlowDisk && f.slow_for > 0) {
      // The entry the loader added to end it goes (or stays) with it.
      for (std::size_t j = i + 1; j < all.size(); ++j) {
        const FaultEvent& e = all[j].fault;
        if (!taken[j] && e.kind == K::kSlowDisk && e.at == f.at + f.slow_for && e.nodes == f.nodes &&
            e.disk_factor_permille == 1000 && e.slow_for == 0) {
          taken[j] = true;
          units[u].faults.push_back(all[j]);
          units[u].faults.back().written = false;
          break;
        }
      }
    }
  }
  return units;
}

bool same_violation(const Violation& a, const Violation& b) {
  return a.invariant == b.invariant && a.time == b.time && a.node == b.node && a.message == b.message;
}

// `nodes: n` in `doc`, and the params that count nodes (at most their
// number: ProtocolBinding::node_count_params) lowered to n.
void with_nodes(YAML::Node& doc, NodeId n, const ProtocolBinding& binding) {
  doc["nodes"] = n;
  for (const auto& key : binding.node_count_params) {
    YAML::Node params = doc["params"];
    if (!params.IsMap() || !params[key].IsScalar()) continue;
    std::int64_t value = 0;
    if (YAML::convert<std::int64_t>::decode(params[key], value) && value > static_cast<std::int64_t>(n)) params[key] = n;
  }
}

bool mentions_node_from(const FaultEvent& f, NodeId limit) {
  auto above = [&](const std::vector<NodeId>& ids) {
    return std::any_of(ids.begin(), ids.end(), [&](NodeId n) { return n != kLeaderTarget && n >= limit; });
  };
  if (above(f.nodes) || above(f.from) || above(f.to)) return true;
  for (const auto& g : f.groups)
    if (above(g)) return true;
  return f.leader_side >= limit;
}

class Shrinker {
 public:
  Shrinker(std::string_view text, const std::string& file, const std::vector<Override>& overrides,
           const ShrinkOptions& options)
      : file_(file), options_(options), started_(Clock::now()) {
    base_ = load_scenario_text(text, file, overrides);
    binding_ = find_protocol(base_.protocol);
    document_ = scenario_document(text, file, overrides);
    for (const char* key : {"expect", "expect_failure"}) document_.remove(key);
    with_nemesis_ = YAML::Clone(document_);
    for (const char* key : {"nemesis", "faults"}) document_.remove(key);
    best_seed_ = options_.seed;
  }

  ShrinkResult run() {
    ShrinkResult result;
    result.original_seed = options_.seed;

    // The original run, recording what the nemesis did.
    std::vector<FaultEvent> recorded;
    RunOptions original;
    original.seed = options_.seed;
    original.nemesis_record = &recorded;
    original.stop = options_.stop;
    const RunResult first = binding_->run(base_, original);
    ++runs_;
    if (first.stop_reason == "stopped") throw std::runtime_error("interrupted during the original run; nothing was shrunk");
    if (first.violations.empty()) {
      std::string failed;
      for (const auto& e : first.expectations)
        if (!e.ok) failed += (failed.empty() ? "" : ", ") + e.name;
      throw ScenarioError({file_, 0, 0}, "",
                          fmt::format("seed {} breaks no invariant{}, so there is nothing to shrink (shrink keeps a "
                                      "broken safety invariant; find a failing seed with `faultline sweep`)",
                                      options_.seed, failed.empty() ? "" : " (expectations that failed: " + failed + ")"));
    }
    invariant_ = first.violations.front().invariant;
    result.invariant = invariant_;
    result.before_violation = first.violations.front();

    // 1. The nemesis as an explicit timeline, nothing else changed. An
    // isolation the nemesis aimed at the leader is written against `leader`
    // (resolved when it applies, to the node the nemesis hit, since both ask
    // the same protocol at the same moment), so that it keeps hitting
    // whoever leads once other faults go or the seed changes; if that
    // timeline does not fail exactly as the nemesis did, the one naming the
    // nodes it hit is used.
    auto materialized = [&](bool leader_targets) {
      std::vector<TimedFault> timeline;
      for (std::size_t i = 0; i < base_.faults.size(); ++i) timeline.push_back({base_.faults[i], i, true});
      std::vector<bool> undone(recorded.size(), false);  // a restart or resume folded into its crash or pause
      for (std::size_t j = 0; j < recorded.size(); ++j) {
        if (undone[j]) continue;
        FaultEvent f = recorded[j];
        using K = FaultEvent::Kind;
        if (leader_targets && f.aimed_at_leader && f.kind == K::kIsolate) f.nodes = {kLeaderTarget};
        if (leader_targets && f.aimed_at_leader && (f.kind == K::kCrash || f.kind == K::kPause) && f.nodes.size() == 1) {
          // The crash (pause) of the leader and the nemesis's restart
          // (resume) of that node: one entry that keeps hitting whoever leads.
          const K undo = f.kind == K::kCrash ? K::kRestart : K::kResume;
          for (std::size_t k = j + 1; k < recorded.size(); ++k)
            if (!undone[k] && recorded[k].kind == undo && recorded[k].nodes == f.nodes) {
              if (recorded[k].at > f.at) {
                undone[k] = true;
                f.undo_after = recorded[k].at - f.at;
              }
              break;
            }
          f.nodes = {kLeaderTarget};
        }
        timeline.push_back({std::move(f), base_.faults.size() + j, true});
      }
      Candidate c;
      c.units = pair_into_units(std::move(timeline));
      c.duration = base_.duration;
      c.nodes = base_.node_count();
      c.workload = base_.workload.has_value();
      c.clients = c.workload ? base_.workload->clients : 0;
      c.rate = c.workload ? base_.workload->rate_per_s : 0.0;
      return c;
    };
    const Candidate named = materialized(false);
    result.before = size_of(named, first);
    result.before.nemeses = base_.nemesis.size();
    best_ = named;
    best_run_ = first;
    const bool any_leader_target = std::any_of(recorded.begin(), recorded.end(), [](const FaultEvent& f) {
      using K = FaultEvent::Kind;
      return f.aimed_at_leader && (f.kind == K::kIsolate || f.kind == K::kCrash || f.kind == K::kPause);
    });
    const auto same_as_nemesis = [&] { return same_violation(best_run_.violations.front(), first.violations.front()); };
    bool reproduced = false;
    if (any_leader_target) {
      reproduced = try_candidate(materialized(true), "materialize (leader targets)", /*required=*/true) && same_as_nemesis();
      if (!reproduced) {
        best_ = named;
        best_run_ = first;
      }
    }
    if (!reproduced)
      reproduced = try_candidate(named, "materialize the nemesis", /*required=*/true);
    if (!reproduced)
      throw std::runtime_error(
          fmt::format("the nemesis's {} actions, replayed as a fault timeline with the same seed, do not break {} "
                      "again the same way{}; nothing was shrunk",
                      recorded.size(), invariant_, stopped_by_.empty() ? "" : " (stopped: " + stopped_by_ + ")"));
    result.materialized_violation = best_run_.violations.front();

    // When step 10 may follow, steps 2 to 9 get half the budget (and the runs
    // ShrinkOptions::max_runs_before_sparser says): a failure they cannot shrink (a run of tens of milliseconds that
    // almost any removal loses) would otherwise leave step 10 nothing.
    const bool sparser_may_follow =
        options_.research_seeds > 0 && options_.seeds_per_candidate > 1 && !base_.nemesis.empty();
    if (sparser_may_follow) {
      budget_ = options_.budget / 2;
      if (options_.max_runs_before_sparser > 0) max_runs_ = options_.max_runs_before_sparser;
    }
    rounds();
    // A failure that needs a rare schedule is lost by removing almost any
    // fault with the same seed (the run diverges after it): the same steps
    // again, each candidate tried on a few seeds.
    if (written_faults(best_) > options_.handful && options_.seeds_per_candidate > 1 && stopped_by_.empty()) {
      seeds_to_try_ = options_.seeds_per_candidate;
      rounds();
    }

    // The output: the text the best candidate was run from (text_of is a
    // function of the candidate and the seed), so no run is made again here.
    result.yaml = text_of(best_, best_seed_);
    result.seed = best_seed_;
    result.after = size_of(best_, best_run_);
    result.after_violation = best_run_.violations.front();
    // 9. Still more than a handful: the scenario itself, nemesis and all, on
    // fewer nodes, then shrunk again from there.
    if (result.after.faults > options_.handful && options_.fewer_nodes_with_nemesis && options_.seeds_per_candidate > 1 &&
        stopped_by_.empty() && base_.generated_names && !base_.nemesis.empty())
      fewer_nodes_with_nemesis(result);
    // 10. Still more than a handful: sparser runs of the scenario on other
    // seeds, and the failures with the fewest faults shrunk again, with the
    // whole budget and runs (what steps 2 to 9 left and the half kept back).
    if (result.after.faults > options_.handful && sparser_may_follow) {
      if (stopped_by_ == "budget" || stopped_by_ == "max_runs") stopped_by_.clear();  // their share, or all: asked again
      budget_ = options_.budget;
      max_runs_ = options_.max_runs;
      if (!out_of_budget()) sparser_runs(result);
    }
    result.runs = runs_;
    result.stopped_by = stopped_by_;
    result.wall_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    return result;
  }

 private:
  // 9. The original scenario, its nemesis in place, with 1, 2, ... nodes (the
  // params that count nodes lowered with them), on the seeds a candidate is
  // tried on; the first seed that breaks the same invariant is shrunk from
  // step 1 by a shrink of its own, and its output replaces ours if it has
  // fewer faults; the next node count is tried while more than a handful are left. A failure that needs five nodes' worth of coincidences may need
  // far fewer on three (paxos acceptor_not_persisted: 11 seeds in 200 fail
  // with 5 nodes, 38 with 3).
  void fewer_nodes_with_nemesis(ShrinkResult& result) {
    fewer_nodes_tried_ = true;
    for (NodeId k = 1; k < base_.node_count() && !out_of_budget(); ++k) {
      YAML::Node doc = YAML::Clone(with_nemesis_);
      with_nodes(doc, k, *binding_);
      for (std::uint64_t seed = options_.seed; seed < options_.seed + options_.seeds_per_candidate; ++seed) {
        if (out_of_budget()) return;
        doc["seed"] = seed;
        const std::string text = emit_document(doc, "");
        ++runs_;
        std::string verdict;
        bool same = false;
        try {
          const Scenario s = load_scenario_text(text, file_ + " (candidate)");
          RunOptions o;
          o.seed = seed;
          o.stop = options_.stop;
          o.deadline = started_ + budget_;
          const RunResult r = binding_->run(s, o);
          same = r.stop_reason != "stopped" && !r.violations.empty() && r.violations.front().invariant == invariant_;
          verdict = same ? "fails" : r.violations.empty() ? "no violation" : "breaks " + r.violations.front().invariant;
        } catch (const ScenarioError&) {
          verdict = "not a valid scenario";
        }
        if (options_.progress)
          options_.progress(fmt::format("shrink: run {:>4}  {:<32} seed {:<4} {}", runs_,
                                        fmt::format("{} nodes with the nemesis", k), seed, verdict));
        if (!same) continue;
        if (fewest_failing_nodes_ == 0) fewest_failing_nodes_ = k;
        // Shrink that scenario, with what is left of the budget.
        ShrinkOptions nested = options_;
        nested.seed = seed;
        nested.fewer_nodes_with_nemesis = false;
        nested.research_seeds = 0;  // step 10 runs once, after this
        nested.budget = budget_ - (Clock::now() - started_);
        if (max_runs_ > 0) nested.max_runs = max_runs_ - runs_;
        ShrinkResult smaller;
        try {
          smaller = shrink_scenario(text, file_, {}, nested);
        } catch (const std::exception& e) {  // e.g. its nemesis does not replay as a timeline
          if (options_.progress) options_.progress(fmt::format("shrink: {} nodes: {}", k, e.what()));
          continue;
        }
        runs_ += smaller.runs;
        if (!smaller.stopped_by.empty()) stopped_by_ = smaller.stopped_by;
        if (smaller.after.faults < result.after.faults) {
          result.yaml = smaller.yaml;
          result.seed = smaller.seed;
          result.after = smaller.after;
          result.after_violation = smaller.after_violation;
        }
        if (result.after.faults <= options_.handful) return;
        break;  // more nodes next
      }
    }
  }

  // 10. Sparser runs on other seeds. The failure a rare schedule gives is
  // lost by removing almost any fault (steps 3 to 8: the run diverges after
  // it), so instead of removing faults from this run, look for another run
  // that fails the same way with fewer: the scenario with a subset of its
  // nemeses (one alone first, then two, ..., all), on 1, 2, ... nodes
  // (`nodes: N` scenarios; params that count nodes lowered with them), ended when those
  // nemeses have struck `handful` times on average (the time their mean
  // intervals give; timeline entries after it go), on `research_seeds` seeds
  // after the original. The failures of one variant are shrunk from step 1
  // (steps 2 to 8), fewest faults first, while they have fewer faults than
  // the output; a shrunk one replaces the output when it has fewer faults.
  // figure8: its 17 faults, 1-minimal on eight seeds, become 5 (on 3 nodes);
  // config_before_term_commit: 262 become 5.
  void sparser_runs(ShrinkResult& result) {
    const std::size_t m = base_.nemesis.size();
    std::vector<std::vector<std::size_t>> subsets;  // by size, then in the file's order
    if (m <= 4) {
      for (std::size_t size = 1; size <= m; ++size)
        for (std::uint32_t mask = 1; mask < (1u << m); ++mask)
          if (static_cast<std::size_t>(std::popcount(mask)) == size) {
            std::vector<std::size_t> subset;
            for (std::size_t i = 0; i < m; ++i)
              if (mask & (1u << i)) subset.push_back(i);
            subsets.push_back(std::move(subset));
          }
    } else {  // each alone, then all
      for (std::size_t i = 0; i < m; ++i) subsets.push_back({i});
      subsets.emplace_back();
      for (std::size_t i = 0; i < m; ++i) subsets.back().push_back(i);
    }
    // From the fewest nodes on which step 9 saw the scenario fail (on fewer,
    // with every nemesis at its full rate, it failed on none of its seeds).
    NodeId first_count = base_.generated_names ? 1 : base_.node_count();
    if (fewer_nodes_tried_) first_count = fewest_failing_nodes_ > 0 ? fewest_failing_nodes_ : base_.node_count();
    for (NodeId k = first_count; k <= base_.node_count(); ++k) {
      // Only node counts on which the scenario itself is valid (its timeline
      // may name a node a count removes, as in step 9).
      YAML::Node whole = YAML::Clone(with_nemesis_);
      if (k != base_.node_count()) with_nodes(whole, k, *binding_);
      try {
        load_scenario_text(emit_document(whole, ""), file_ + " (candidate)");
      } catch (const ScenarioError&) {
        continue;
      }
      // The sparsest first: the fewest entries of the scenario's own
      // timeline (none, 1, 2, 4, ..., all up to the end), then each subset.
      struct Variant {
        const std::vector<std::size_t>* subset;
        Duration end;
        std::vector<TimedFault> own;
      };
      std::vector<std::vector<Variant>> by_prefix;
      for (const auto& subset : subsets) {
        // Until the subset's nemeses have struck `handful` times on average:
        // each strikes once per mean interval from its start.
        double per_second = 0.0;
        Time start = base_.duration;
        for (const std::size_t i : subset) {
          const NemesisSpec& spec = base_.nemesis[i];
          per_second += 2e9 / static_cast<double>(spec.every_min + spec.every_max);
          start = std::min(start, spec.start);
        }
        const Duration until = start + static_cast<Duration>(static_cast<double>(options_.handful) / per_second * 1e9);
        const Duration end = std::min(base_.duration, std::max<Duration>(kMillisecond, until / kMillisecond * kMillisecond));
        // The scenario's own timeline up to the end (on fewer nodes, an entry
        // naming a removed node makes the variant one the loader refuses, as
        // in step 9).
        std::vector<TimedFault> own;
        for (std::size_t i = 0; i < base_.faults.size(); ++i)
          if (base_.faults[i].at <= end) own.push_back({base_.faults[i], i, true});
        std::size_t rank = 0;
        for (std::size_t j = 0;; j = j == 0 ? 1 : std::min(own.size(), 2 * j), ++rank) {
          if (by_prefix.size() <= rank) by_prefix.emplace_back();
          by_prefix[rank].push_back({&subset, end, std::vector<TimedFault>(own.begin(), own.begin() + j)});
          if (j == own.size()) break;
        }
      }
      for (auto& variants : by_prefix)
        for (auto& v : variants) {
          if (out_of_budget()) return;
          if (sparser_variant(result, k, *v.subset, v.end, std::move(v.own))) return;
        }
    }
  }

  // One variant of step 10: k nodes, the nemeses in `subset`, the run ended
  // at `end`, the first entries of the scenario's own timeline (`own`).
  // True once the output has a handful of faults.
  bool sparser_variant(ShrinkResult& result, NodeId k, const std::vector<std::size_t>& subset, Duration end,
                       std::vector<TimedFault> own) {
    const std::size_t own_entries = own.size();
    Candidate timeline;
    timeline.units = pair_into_units(std::move(own));
    timeline.duration = end;
    timeline.nodes = k;
    timeline.workload = base_.workload.has_value();
    timeline.clients = timeline.workload ? base_.workload->clients : 0;
    timeline.rate = timeline.workload ? base_.workload->rate_per_s : 0.0;
    YAML::Node doc = YAML::Clone(with_nemesis_);
    YAML::Node nemeses(YAML::NodeType::Sequence);
    for (const std::size_t i : subset) nemeses.push_back(YAML::Clone(with_nemesis_["nemesis"][i]));
    doc["nemesis"] = nemeses;
    std::string names;
    for (const std::size_t i : subset) names += fmt::format("{}{}", names.empty() ? "" : "+", i);
    const std::string what = fmt::format("{} nodes, nemesis {}, {}, {} of the timeline", k, names, seconds_text(end), own_entries);

    struct Found {
      std::size_t faults;
      std::uint64_t seed;
    };
    std::vector<Found> found;
    std::uint64_t tried = 0;
    // Loaded once: the seed written in the text is only the default of
    // `faultline run`; every run here takes its own (RunOptions::seed).
    std::optional<Scenario> variant;
    try {
      variant = load_scenario_text(text_of(timeline, options_.seed + 1, doc), file_ + " (candidate)");
    } catch (const ScenarioError&) {  // e.g. a nemesis's max_down above a minority of k nodes
    }
    for (std::uint64_t seed = options_.seed + 1; seed <= options_.seed + options_.research_seeds && variant; ++seed) {
      if (out_of_budget()) return false;
      ++runs_;
      ++tried;
      std::vector<FaultEvent> recorded;
      RunOptions o;
      o.seed = seed;
      o.stop = options_.stop;
      o.deadline = started_ + budget_;
      o.nemesis_record = &recorded;
      const RunResult r = binding_->run(*variant, o);
      if (r.stop_reason == "stopped" || r.violations.empty() || r.violations.front().invariant != invariant_) continue;
      // Its faults: the nemesis's actions up to the failure, and the
      // timeline's entries applied by then.
      std::size_t faults = recorded.size();
      for (const auto& f : variant->faults) faults += f.at <= r.violations.front().time ? 1 : 0;
      if (faults < result.after.faults) found.push_back({faults, seed});
    }
    if (options_.progress)
      options_.progress(fmt::format("shrink: run {:>4}  sparser runs: {}: {} of {} seeds fail with fewer than {} faults{}",
                                    runs_, what, found.size(), tried, result.after.faults, variant ? "" : " (not a valid scenario)"));
    std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.faults < b.faults; });
    for (const Found& f : found) {
      if (out_of_budget() || f.faults >= result.after.faults) break;
      ShrinkOptions nested = options_;
      nested.seed = f.seed;
      nested.fewer_nodes_with_nemesis = false;
      nested.research_seeds = 0;
      nested.budget = budget_ - (Clock::now() - started_);
      if (max_runs_ > 0) nested.max_runs = max_runs_ - runs_;
      ShrinkResult smaller;
      try {
        smaller = shrink_scenario(text_of(timeline, f.seed, doc), file_, {}, nested);
      } catch (const std::exception& e) {  // e.g. its nemesis does not replay as a timeline
        if (options_.progress) options_.progress(fmt::format("shrink: sparser runs: {}, seed {}: {}", what, f.seed, e.what()));
        continue;
      }
      runs_ += smaller.runs;
      if (!smaller.stopped_by.empty()) stopped_by_ = smaller.stopped_by;
      if (options_.progress)
        options_.progress(fmt::format("shrink: run {:>4}  sparser runs: {}, seed {}: {} faults shrunk to {}", runs_, what,
                                      f.seed, f.faults, smaller.after.faults));
      if (smaller.after.faults < result.after.faults) {
        result.yaml = smaller.yaml;
        result.seed = smaller.seed;
        result.after = smaller.after;
        result.after_violation = smaller.after_violation;
      }
      if (result.after.faults <= options_.handful) return true;
    }
    return false;
  }

  // Steps 2 to 7, again while anything shrinks (three rounds at most).
  void rounds() {
    bool changed = true;
    for (int round = 0; round < 3 && changed && stopped_by_.empty(); ++round) {
      changed = false;
      changed |= trim_duration();
      changed |= retarget_to_leader();
      changed |= drop_fault_classes();
      changed |= ddmin();
      changed |= trim_duration();
      changed |= shorten_units();
      changed |= reduce_workload();
      changed |= reduce_nodes();
      changed |= ddmin_single_entries();
    }
  }

  ShrinkSize size_of(const Candidate& c, const RunResult& r) const {
    ShrinkSize s;
    s.faults = written_faults(c);
    s.nodes = c.nodes;
    s.clients = c.workload ? c.clients : 0;
    s.rate_per_s = c.workload ? c.rate : 0.0;
    s.duration = c.duration;
    s.events = r.events;
    s.virtual_time = r.virtual_time_ns;
    return s;
  }

  std::string text_of(const Candidate& c, std::uint64_t seed) const { return text_of(c, seed, document_); }

  // `c` written over `base` (the scenario without its nemesis and timeline,
  // or, for step 10, with the nemeses it keeps).
  std::string text_of(const Candidate& c, std::uint64_t seed, const YAML::Node& base) const {
    YAML::Node doc = YAML::Clone(base);
    doc["seed"] = seed;
    doc["duration"] = duration_text(c.duration);
    if (c.nodes != base_.node_count()) with_nodes(doc, c.nodes, *binding_);
    if (!c.workload) {
      doc.remove("workload");
    } else {
      doc["workload"]["clients"] = c.clients;
      doc["workload"]["rate"] = fmt::format("{}", c.rate);
    }
    std::vector<const TimedFault*> faults;
    for (const auto& u : c.units)
      for (const auto& f : u.faults)
        if (f.written) faults.push_back(&f);
    std::stable_sort(faults.begin(), faults.end(), [](const TimedFault* a, const TimedFault* b) {
      return a->fault.at != b->fault.at ? a->fault.at < b->fault.at : a->order < b->order;
    });
    if (!faults.empty()) {
      YAML::Node list(YAML::NodeType::Sequence);
      for (const auto* f : faults) list.push_back(fault_entry(f->fault, base_));
      doc["faults"] = list;
    } else {
      doc.remove("faults");
    }
    return emit_document(doc, "");
  }

  bool out_of_budget() {
    if (!stopped_by_.empty()) return true;
    if (options_.stop.stop_requested()) stopped_by_ = "interrupt";
    else if (max_runs_ > 0 && runs_ >= max_runs_) stopped_by_ = "max_runs";
    else if (Clock::now() - started_ >= budget_) stopped_by_ = "budget";
    return !stopped_by_.empty();
  }

  // The seeds a candidate is tried on, in order: the best's seed, then the
  // original seed + 1, + 2, ... (one seed until the multi-seed pass).
  std::vector<std::uint64_t> seeds_for_candidate() const {
    std::vector<std::uint64_t> seeds{best_seed_};
    for (std::uint64_t s = options_.seed + 1; seeds.size() < seeds_to_try_; ++s)
      if (s != best_seed_) seeds.push_back(s);
    return seeds;
  }

  // Runs `c` from its YAML text on each seed in turn; keeps it as the best
  // with the first seed on which it breaks the same invariant. A `required`
  // run (step 1) is made whatever the budget.
  bool try_candidate(const Candidate& c, std::string_view what, bool required = false) {
    for (const std::uint64_t seed : seeds_for_candidate()) {
      if (!required && out_of_budget()) return false;
      if (try_seed(c, what, seed, required)) return true;
    }
    return false;
  }

  bool try_seed(const Candidate& c, std::string_view what, std::uint64_t seed, bool required) {
    ++runs_;
    std::string verdict;
    bool same = false;
    try {
      const Scenario s = load_scenario_text(text_of(c, seed), file_ + " (candidate)");
      RunOptions o;
      o.seed = seed;
      o.stop = options_.stop;
      if (!required) o.deadline = started_ + budget_;  // stopped mid-run when the budget runs out
      const RunResult r = binding_->run(s, o);
      if (r.stop_reason == "stopped") {
        stopped_by_ = options_.stop.stop_requested() ? "interrupt" : "budget";
        verdict = "stopped mid-run (" + stopped_by_ + ")";
      } else {
        same = !r.violations.empty() && r.violations.front().invariant == invariant_;
        verdict = same ? "kept" : r.violations.empty() ? "no violation" : "breaks " + r.violations.front().invariant;
      }
      if (same) {
        best_ = c;
        best_run_ = r;
        best_seed_ = seed;
      }
    } catch (const ScenarioError& e) {
      verdict = "not a valid scenario";
    } catch (const std::exception& e) {
      verdict = std::string("run failed: ") + e.what();
    }
    if (options_.progress)
      options_.progress(fmt::format("shrink: run {:>4}  {:<32} seed {:<4} {:<22} best: {} faults, {} nodes, {} clients, {}, seed {}",
                                    runs_, what, seed, verdict, written_faults(best_), best_.nodes,
                                    best_.workload ? best_.clients : 0, seconds_text(best_.duration), best_seed_));
    return same;
  }

  // 2. End the run just after the failure.
  bool trim_duration() {
    const Time v = best_run_.violations.front().time;
    const Duration current = best_.duration;
    auto with = [&](Duration d) {
      Candidate c = best_;
      c.duration = d;
      for (auto& u : c.units)
        u.faults.erase(std::remove_if(u.faults.begin(), u.faults.end(), [&](const TimedFault& f) { return f.fault.at > d; }),
                       u.faults.end());
      c.units.erase(std::remove_if(c.units.begin(), c.units.end(), [](const Unit& u) { return u.faults.empty(); }),
                    c.units.end());
      return c;
    };
    if (v < current) {
      const Duration next_ms = (v / kMillisecond + 1) * kMillisecond;
      return next_ms < current && try_candidate(with(next_ms), "end just after the failure");
    }
    // Found only at the end of the run (linearizability): bisect the duration.
    Duration lo = 0, hi = current;
    bool shorter = false;
    for (int step = 0; step < 8 && hi - lo > kMillisecond; ++step) {
      const Duration mid = std::max<Duration>(kMillisecond, (lo + hi) / 2 / kMillisecond * kMillisecond);
      if (mid >= hi) break;
      if (try_candidate(with(mid), fmt::format("duration {}", seconds_text(mid)))) {
        hi = mid;
        shorter = true;
      } else {
        if (!stopped_by_.empty()) break;
        lo = mid;
      }
    }
    return shorter;
  }

  // 3. Delta debugging (Zeller and Hildebrandt's ddmin) over the units.
  bool ddmin() {
    bool smaller = false;
    auto with_units = [&](std::vector<Unit> units) {
      Candidate c = best_;
      c.units = std::move(units);
      return c;
    };
    if (best_.units.empty()) return false;
    if (try_candidate(with_units({}), "no faults at all")) return true;
    std::size_t n = 2;
    while (best_.units.size() >= 2 && stopped_by_.empty()) {
      const auto& units = best_.units;
      const std::size_t size = units.size();
      n = std::min(n, size);
      auto chunk = [&](std::size_t i) { return std::pair{i * size / n, (i + 1) * size / n}; };
      bool reduced = false;
      for (std::size_t i = 0; i < n && !reduced; ++i) {  // one chunk alone
        const auto [a, b] = chunk(i);
        if (n == 2 && b - a == size) continue;
        std::vector<Unit> only(units.begin() + a, units.begin() + b);
        if (try_candidate(with_units(only), fmt::format("ddmin: {} of {} units", only.size(), size))) {
          reduced = true;
          n = 2;
        }
      }
      for (std::size_t i = 0; i < n && !reduced && n > 2; ++i) {  // all but one chunk
        const auto [a, b] = chunk(i);
        std::vector<Unit> rest(units.begin(), units.begin() + a);
        rest.insert(rest.end(), units.begin() + b, units.end());
        if (try_candidate(with_units(rest), fmt::format("ddmin: {} of {} units", rest.size(), size))) {
          reduced = true;
          n = std::max<std::size_t>(n - 1, 2);
        }
      }
      if (reduced) {
        smaller = true;
        continue;
      }
      if (n >= size) break;
      n = std::min(size, n * 2);
    }
    return smaller;
  }

  // 3b. ddmin again with every entry a unit of its own: an undo can go
  // without its fault (a candidate that restarts a running node is refused
  // by the loader and not kept).
  bool ddmin_single_entries() {
    const bool paired = std::any_of(best_.units.begin(), best_.units.end(), [](const Unit& u) { return u.faults.size() > 1; });
    if (!paired || !stopped_by_.empty()) return false;
    const Candidate paired_best = best_;
    std::vector<Unit> single;
    for (const auto& u : best_.units) {
      if (!u.faults.front().written || (u.faults.size() > 1 && !u.faults[1].written)) {
        single.push_back(u);  // a slow_disk and the end the loader adds stay together
        continue;
      }
      for (const auto& f : u.faults) single.push_back(Unit{{f}});
    }
    best_.units = std::move(single);
    const bool smaller = ddmin();
    if (!smaller) best_ = paired_best;  // keep the pairs for the next round's shortening
    return smaller;
  }

  // 3a. Faults that name a node hit "whoever leads" instead: a crash or
  // pause of one node and its restart or resume become one `crash` (`pause`)
  // of `leader` with `for` (the node it hits comes back, whichever it was),
  // else an isolation of `leader` and a heal; an isolation of a named node,
  // one of `leader`. A fault the nemesis aimed at the leader names the node
  // that led in the original run; once an earlier fault goes or the seed
  // changes, another node leads then, and the named fault means something
  // else. First every such fault at once, then each fault the nemesis aimed
  // at the leader alone.
  bool retarget_to_leader() {
    if (!binding_->has_leader) return false;  // the loader would refuse `leader`
    using K = FaultEvent::Kind;
    auto convertible = [](const Unit& u, bool aimed_only) {
      const FaultEvent& f = u.faults.front().fault;
      if (f.kind != K::kCrash && f.kind != K::kPause && f.kind != K::kIsolate) return false;
      if (f.nodes.size() != 1 || f.nodes[0] == kLeaderTarget) return false;
      if (!u.faults.front().written || (u.faults.size() > 1 && !u.faults[1].written)) return false;
      return !aimed_only || f.aimed_at_leader;
    };
    // as_isolation: the isolation form; else a crash or pause keeps its kind.
    auto retargeted = [](Unit u, bool as_isolation) {
      TimedFault first = u.faults.front();
      first.fault.nodes = {kLeaderTarget};
      if (first.fault.kind != K::kIsolate && !as_isolation) {
        if (u.faults.size() > 1) first.fault.undo_after = u.faults[1].fault.at - first.fault.at;
        u.faults = {first};
        return u;
      }
      first.fault.kind = K::kIsolate;
      first.fault.undo_after = 0;
      std::vector<TimedFault> faults{first};
      if (u.faults.size() > 1) {
        TimedFault heal = u.faults[1];
        heal.fault.kind = K::kHeal;
        heal.fault.nodes.clear();
        faults.push_back(heal);
      }
      u.faults = std::move(faults);
      return u;
    };
    auto all = [&](bool aimed_only, bool as_isolation) {
      Candidate c = best_;
      std::size_t n = 0;
      for (auto& u : c.units)
        if (convertible(u, aimed_only)) {
          u = retargeted(u, as_isolation);
          ++n;
        }
      return std::pair{c, n};
    };
    for (const bool as_isolation : {false, true})
      for (const bool aimed_only : {true, false}) {
        const auto [c, n] = all(aimed_only, as_isolation);
        if (n > 0 && stopped_by_.empty() &&
            try_candidate(c, fmt::format("{} faults against `leader`{}", n, as_isolation ? " (isolate)" : "")))
          return true;
      }
    bool changed = false;
    for (std::size_t i = 0; i < best_.units.size() && stopped_by_.empty(); ++i) {
      if (!convertible(best_.units[i], true)) continue;
      for (const bool as_isolation : {false, true}) {
        Candidate c = best_;
        c.units[i] = retargeted(c.units[i], as_isolation);
        if (try_candidate(c, as_isolation ? "a fault against `leader` (isolate)" : "a fault against `leader`")) {
          changed = true;
          break;
        }
      }
    }
    return changed;
  }

  // 3b. Whole classes of faults at once: every crash, every pause, every cut
  // (partition, one-way, isolation), every operator request, every clock or
  // disk fault, and every fault against `leader`. A scenario's own long
  // list of one kind (raft/membership_churn's 200 operator requests) goes in
  // one run when the failure does not need it, where ddmin would need a run
  // per chunk of a mix of kinds.
  bool drop_fault_classes() {
    using K = FaultEvent::Kind;
    enum Class { kCrashes, kPauses, kCuts, kOperator, kClockDisk, kLeader };
    auto class_of = [](const Unit& u) {
      const FaultEvent& f = u.faults.front().fault;
      if (std::find(f.nodes.begin(), f.nodes.end(), kLeaderTarget) != f.nodes.end()) return kLeader;
      switch (f.kind) {
        case K::kCrash: case K::kRestart: return kCrashes;
        case K::kPause: case K::kResume: return kPauses;
        case K::kPartition: case K::kOneWay: case K::kIsolate: case K::kHeal: return kCuts;
        case K::kAddServer: case K::kRemoveServer: case K::kTransferLeader: return kOperator;
        case K::kDrift: case K::kSlowDisk: return kClockDisk;
      }
      return kCuts;
    };
    const char* names[] = {"crashes", "pauses", "cuts", "operator requests", "clock and disk faults", "faults against `leader`"};
    bool smaller = false;
    for (int k = kCrashes; k <= kLeader && stopped_by_.empty(); ++k) {
      Candidate c = best_;
      std::erase_if(c.units, [&](const Unit& u) { return class_of(u) == k; });
      if (c.units.size() == best_.units.size() || c.units.empty()) continue;  // none of them, or all (ddmin tries none)
      smaller |= try_candidate(c, fmt::format("without {}", names[k]));
    }
    return smaller;
  }

  // 4. Each undo dropped, else brought forward (a shorter partition or downtime).
  bool shorten_units() {
    bool shorter = false;
    for (std::size_t i = 0; i < best_.units.size() && stopped_by_.empty(); ++i) {
      if (best_.units[i].faults.front().fault.undo_after > 0) {  // a crash or pause with `for`
        Candidate c = best_;
        c.units[i].faults.front().fault.undo_after = 0;
        if (try_candidate(c, "drop an undo")) {
          shorter = true;
          continue;
        }
        for (int step = 0; step < 3 && stopped_by_.empty(); ++step) {
          const Duration d = best_.units[i].faults.front().fault.undo_after;
          const Duration half = std::max<Duration>(kMillisecond, d / 2 / kMillisecond * kMillisecond);
          if (half >= d) break;
          Candidate e = best_;
          e.units[i].faults.front().fault.undo_after = half;
          if (!try_candidate(e, fmt::format("undo after {}", seconds_text(half)))) break;
          shorter = true;
        }
        continue;
      }
      if (best_.units[i].faults.size() != 2 || !best_.units[i].faults[1].written) continue;
      Candidate c = best_;
      c.units[i].faults.pop_back();
      if (try_candidate(c, "drop an undo")) {
        shorter = true;
        continue;
      }
      for (int step = 0; step < 3 && stopped_by_.empty(); ++step) {
        const Time start = best_.units[i].faults[0].fault.at, end = best_.units[i].faults[1].fault.at;
        const Time mid = start + std::max<Duration>(kMillisecond, (end - start) / 2 / kMillisecond * kMillisecond);
        if (mid >= end) break;
        Candidate d = best_;
        d.units[i].faults[1].fault.at = mid;
        if (!try_candidate(d, fmt::format("undo after {}", seconds_text(mid - start)))) break;
        shorter = true;
      }
    }
    return shorter;
  }

  // 5. Fewer clients, fewer requests.
  bool reduce_workload() {
    if (!best_.workload) return false;
    Candidate none = best_;
    none.workload = false;
    if (try_candidate(none, "no clients")) return true;
    bool smaller = false;
    for (std::uint32_t k = 1; k < best_.clients && stopped_by_.empty(); k *= 2) {
      Candidate c = best_;
      c.clients = k;
      if (try_candidate(c, fmt::format("{} clients", k))) {
        smaller = true;
        break;
      }
    }
    for (int step = 0; step < 4 && stopped_by_.empty(); ++step) {
      Candidate c = best_;
      c.rate = best_.rate / 2;
      if (!try_candidate(c, fmt::format("rate {}/s", c.rate))) break;
      smaller = true;
    }
    return smaller;
  }

  // 6. Fewer nodes, where the scenario counts them (`nodes: N`).
  bool reduce_nodes() {
    if (!base_.generated_names) return false;
    for (NodeId k = 1; k < best_.nodes && stopped_by_.empty(); ++k) {
      Candidate c = best_;
      c.nodes = k;
      std::erase_if(c.units, [&](const Unit& u) {
        return std::any_of(u.faults.begin(), u.faults.end(), [&](const TimedFault& f) { return mentions_node_from(f.fault, k); });
      });
      if (try_candidate(c, fmt::format("{} nodes", k))) return true;
    }
    return false;
  }

  std::string file_;
  ShrinkOptions options_;
  Clock::time_point started_;
  Scenario base_;
  const ProtocolBinding* binding_ = nullptr;
  YAML::Node document_;
  YAML::Node with_nemesis_;  // the scenario as given (its nemesis and timeline), for step 9
  std::string invariant_;
  Candidate best_;
  RunResult best_run_;
  std::uint64_t best_seed_ = 0;     // the seed best_ fails with
  std::size_t seeds_to_try_ = 1;     // per candidate: 1, then options_.seeds_per_candidate
  std::uint64_t runs_ = 0;
  std::string stopped_by_;
  // Steps 1 to 9's share of the budget and runs (all of them unless step 10 may follow).
  std::chrono::steady_clock::duration budget_ = options_.budget;
  std::uint64_t max_runs_ = options_.max_runs;
  bool fewer_nodes_tried_ = false;    // step 9 ran
  NodeId fewest_failing_nodes_ = 0;  // the fewest nodes on which step 9 saw a failure (0: none)
};

}  // namespace

ShrinkResult shrink_scenario(std::string_view text, const std::string& file, const std::vector<Override>& overrides,
                             const ShrinkOptions& options) {
  Shrinker shrinker(text, file, overrides, options);
  return shrinker.run();
}

}  // namespace faultline

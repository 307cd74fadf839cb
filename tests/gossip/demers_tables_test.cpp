// Rumor mongering against Demers et al. 1987, section 1.4: their simulation
// of 1,000 sites, push, one contact per cycle, synchronous cycles.
// Table 1 (feedback, counter) and Table 2 (blind, coin) give, per k, the
// residue s (fraction of sites never informed) and the traffic m (update
// messages per site). faultline must land within the noise of its seeds
// (three standard errors of the mean) plus the paper's rounding (half a
// unit of its last printed digit). Values and their source: docs/metrics.md.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"

using namespace faultline;

namespace {

constexpr std::uint64_t kSeeds = 8;

struct Figures {
  double residue_mean, residue_se, traffic_mean, traffic_se;
};

// Mean and standard error of the residue and of update_messages_per_node
// over seeds 1..kSeeds.
Figures rumor_mongering(const std::string& removal, int k) {
  const std::string text = "protocol: gossip\nparams: {exchange: push, spread: rumor_mongering, removal: " + removal +
                           ", removal_k: " + std::to_string(k) +
                           ", fanout: 1, push_on_learn: false, synchronous_rounds: true}\n"
                           "nodes: 1000\nduration: 300s\nnetwork:\n  latency: {dist: uniform, min: 10ms, max: 50ms}\n";
  const Scenario s = load_scenario_text(text, "demers.yaml");
  std::vector<double> residue, traffic;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    RunOptions o;
    o.seed = seed;
    const RunResult r = find_protocol("gossip")->run(s, o);
    REQUIRE(r.violations.empty());
    residue.push_back(r.metrics.at("residue").samples.at(0));
    traffic.push_back(r.metrics.at("update_messages_per_node").samples.at(0));
  }
  auto mean_se = [](const std::vector<double>& x) {
    double sum = 0, sq = 0;
    for (double v : x) sum += v;
    const double mean = sum / static_cast<double>(x.size());
    for (double v : x) sq += (v - mean) * (v - mean);
    const double sd = std::sqrt(sq / static_cast<double>(x.size() - 1));
    return std::pair{mean, sd / std::sqrt(static_cast<double>(x.size()))};
  };
  const auto [rm, rse] = mean_se(residue);
  const auto [tm, tse] = mean_se(traffic);
  return {rm, rse, tm, tse};
}

// The paper's figure, with half a unit of its last printed digit.
struct Printed {
  double value, rounding;
};

void check_against_paper(const std::string& removal, int k, Printed s, Printed m) {
  CAPTURE(removal);
  CAPTURE(k);
  const Figures f = rumor_mongering(removal, k);
  CAPTURE(f.residue_mean);
  CAPTURE(f.traffic_mean);
  CHECK(std::abs(f.residue_mean - s.value) <= 3 * f.residue_se + s.rounding);
  CHECK(std::abs(f.traffic_mean - m.value) <= 3 * f.traffic_se + m.rounding);
}

}  // namespace

TEST_CASE("Demers 1987 Table 1: feedback and counter, 1,000 sites, k = 1..3") {
  check_against_paper("feedback_counter", 1, {0.18, 0.005}, {1.7, 0.05});
  check_against_paper("feedback_counter", 2, {0.037, 0.0005}, {3.3, 0.05});
  check_against_paper("feedback_counter", 3, {0.011, 0.0005}, {4.5, 0.05});
}

TEST_CASE("Demers 1987 Table 2: blind and coin, 1,000 sites, k = 1..3") {
  check_against_paper("blind_coin", 1, {0.96, 0.005}, {0.04, 0.005});
  check_against_paper("blind_coin", 2, {0.20, 0.005}, {1.6, 0.05});
  check_against_paper("blind_coin", 3, {0.060, 0.0005}, {2.8, 0.05});
}

TEST_CASE("Demers 1.4: a counter leaves less residue than a coin with the same k (feedback, k = 3)") {
  // The counter removes a site only after k unnecessary contacts in a row;
  // the coin may remove it at the first. Same traffic scale, less residue.
  const Figures counter = rumor_mongering("feedback_counter", 3);
  const Figures coin = rumor_mongering("feedback_coin", 3);
  CHECK(counter.residue_mean + 3 * counter.residue_se < coin.residue_mean);
}

// Binds gossip dissemination (protocols/gossip) to the simulator.
#include "protocols/gossip/gossip_swarm.hpp"
#include "sim/binding/binding_support.hpp"
#include "protocols/gossip/binding/gossip_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

namespace {

gossip::DisseminationParams read_params(const Scenario& s) {
  using namespace gossip;
  DisseminationParams p;
  YamlSection params = YamlSection::params_of(s);
  const std::string exchange = params.choice("exchange", "push", {"push", "pull", "push_pull"});
  p.exchange = exchange == "push" ? Exchange::kPush : exchange == "pull" ? Exchange::kPull : Exchange::kPushPull;
  const std::string spread = params.choice("spread", "anti_entropy", {"anti_entropy", "rumor_mongering"});
  p.spread = spread == "anti_entropy" ? Spread::kAntiEntropy : Spread::kRumorMongering;
  const std::string removal =
      params.choice("removal", "feedback_counter", {"feedback_counter", "feedback_coin", "blind_counter", "blind_coin"});
  p.removal = removal == "feedback_counter" ? Removal::kFeedbackCounter
            : removal == "feedback_coin"    ? Removal::kFeedbackCoin
            : removal == "blind_counter"    ? Removal::kBlindCounter
                                            : Removal::kBlindCoin;
  p.removal_k = static_cast<std::uint32_t>(params.integer("removal_k", 2, 1, 255));
  p.period = params.duration("period", p.period);
  p.fanout = static_cast<std::uint32_t>(params.integer("fanout", 3, 1, 1000));
  p.push_on_learn = params.flag("push_on_learn", true);
  p.no_send_back = params.flag("no_send_back", false);
  p.synchronous_rounds = params.flag("synchronous_rounds", false);
  p.value_bytes = static_cast<std::uint32_t>(params.integer("value_bytes", 64, 0, 1 << 20));
  const std::string mutant = params.choice("mutant", "none", {"none", "forward_once", "last_arrival_wins", "bump_on_reply"});
  p.mutant = mutant == "forward_once"        ? Mutant::kForwardOnce
           : mutant == "last_arrival_wins"   ? Mutant::kLastArrivalWins
           : mutant == "bump_on_reply"       ? Mutant::kBumpOnReply
                                             : Mutant::kNone;
  if (s.node_count() < 2) params.fail("", "gossip needs at least 2 nodes");
  if (params.has("inject")) {
    p.injections.clear();
    const NodeNames names(s.node_names, s.generated_names, s.node_count());
    for (auto& i : read_list_of_sections(params, "inject")) {
      Injection inj;
      inj.at = i.duration("at", 0, true);
      if (inj.at > s.duration) i.fail("at", "is after the end of the run");
      const auto node = names.read_list(i, "node", false);
      if (node.size() != 1) i.fail("node", "one node per injection");
      inj.node = node[0];
      inj.key = static_cast<std::uint16_t>(i.integer("key", 0, 0, kMaxKeys - 1));
      inj.version = static_cast<std::uint32_t>(i.integer("version", 1, 1, UINT32_MAX));
      i.finish();
      p.injections.push_back(inj);
    }
    if (p.injections.empty()) params.fail("inject", "inject at least one update");
  }
  // Each node walks its own injections in time order.
  std::stable_sort(p.injections.begin(), p.injections.end(),
                   [](const Injection& a, const Injection& b) { return a.at < b.at; });
  params.finish();
  return p;
}

}  // namespace

ProtocolBinding gossip_binding() {
  ProtocolBinding b;
  b.name = "gossip";
  // push_broadcast at 100,000 nodes: 25.8 MB, 258 B per node (a million: 149 MB, 149 B per node;
  // 1 Dec 2026, after the 80-byte record and 24-byte packed slot).
  b.memory_per_node = 180;
  b.summary = "epidemic dissemination: push / pull / push-pull, anti-entropy or rumor mongering (Demers 1987)";
  b.stop_conditions = {"all_informed", "quiescent"};
  b.metrics = {"time_to_full_ns", "rounds_to_full", "periods_to_full", "time_to_99pct_ns", "residue",
               "rounds_to_informed_mean", "rounds_to_last_informed", "messages_per_node", "update_messages_per_node",
               "bytes_per_node",  "redundant_deliveries", "removed"};
  b.swarm_ranges.assign(gossip::kDisseminationSwarmRanges.begin(), gossip::kDisseminationSwarmRanges.end());
  b.swarm_liveness = "{name: every node informed, metric: time_to_full_ns, count_min: 1, liveness: true}";
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) { return run_protocol<GossipProtocol>(s, read_params(s), o); };
  return b;
}

}  // namespace faultline

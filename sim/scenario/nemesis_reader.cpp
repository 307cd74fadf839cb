// nemesis: random faults drawn from rates.
#include <fmt/format.h>

#include "sim/scenario/scenario_readers.hpp"

namespace faultline {

std::vector<NemesisSpec> read_nemesis(YamlSection& top, NodeId count, Duration run_length, const NodeRoles& roles) {
  std::vector<NemesisSpec> out;
  for (auto& n : read_list_of_sections(top, "nemesis")) {
    NemesisSpec spec;
    spec.where = n.location();
    if (!n.has("kind")) n.fail("kind", "missing: one of crash, pause, partition, isolate");
    const std::string kind = n.choice("kind", "", {"crash", "pause", "partition", "isolate"});
    using K = NemesisSpec::Kind;
    spec.kind = kind == "crash" ? K::kCrash : kind == "pause" ? K::kPause : kind == "partition" ? K::kPartition : K::kIsolate;
    std::tie(spec.every_min, spec.every_max) = read_duration_range(n, "every", true);
    std::tie(spec.recover_min, spec.recover_max) = read_duration_range(n, "recover", true);
    spec.start = n.duration("start", 0, true);
    if (spec.start > run_length) n.fail("start", "is after the end of the run");
    if (n.has("stop")) {
      spec.stop = n.duration("stop", 0, true);
      if (*spec.stop <= spec.start) n.fail("stop", "must be after start");
    }
    if (n.has("max_down")) {
      if (spec.kind != K::kCrash && spec.kind != K::kPause)
        n.fail("max_down", "only applies to crash and pause nemeses");
      spec.max_down = static_cast<std::uint32_t>(n.integer("max_down", 1, 1, count));
    }
    const std::string target = n.text("target", "random");
    if (target != "random" && target != "leader") {
      // A role: a random node among its members.
      if (roles.find(target) == roles.end()) {
        std::vector<std::string> options = {"random", "leader"};
        for (const auto& [role, members] : roles) options.push_back(role);
        std::string list;
        for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
        const std::string hint = did_you_mean(target, options);
        n.fail("target", fmt::format("unknown target '{}'{}; expected one of {}", target,
                                     hint.empty() ? "" : " (" + hint + ")", list));
      }
      if (spec.kind == K::kPartition) n.fail("target", "a partition nemesis picks a random minority of all nodes");
      spec.target_role = target;
      spec.target_nodes = role_members(roles, target, n.raw("target"), n, "target");
    }
    spec.target_leader = target == "leader";
    if (spec.target_leader && spec.kind == K::kPartition) n.fail("target", "a partition nemesis picks a random minority");
    if ((spec.kind == K::kPartition || spec.kind == K::kIsolate) && count < 2)
      n.fail("kind", fmt::format("a {} nemesis needs at least 2 nodes", kind));
    n.finish();
    out.push_back(spec);
  }
  return out;
}

}  // namespace faultline

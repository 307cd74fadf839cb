#include "sim/network/link_table.hpp"

namespace faultline {

LinkTable::LinkTable(const NetworkSpec& spec, NodeId nodes) {
  defaults_.latency = &spec.defaults.latency;
  defaults_.loss = Probability::of(spec.defaults.loss);
  defaults_.duplicate = Probability::of(spec.defaults.duplicate);
  for (const auto& o : spec.overrides) {
    Override r;
    r.side.assign(nodes, 0);
    for (NodeId n : o.from) r.side[n] |= 1;
    for (NodeId n : o.to) r.side[n] |= 2;
    r.symmetric = o.symmetric;
    r.latency = o.latency ? &*o.latency : nullptr;
    r.has_loss = o.loss.has_value();
    r.has_duplicate = o.duplicate.has_value();
    r.loss = Probability::of(o.loss.value_or(0.0));
    r.duplicate = Probability::of(o.duplicate.value_or(0.0));
    overrides_.push_back(std::move(r));
  }
  all_reliable_ = overrides_.empty() && defaults_.loss.never() && defaults_.duplicate.never();
}

LinkParams LinkTable::resolve_with_overrides(NodeId from, NodeId to) const {
  LinkParams p = defaults_;
  for (const auto& o : overrides_) {  // in file order: later ones win
    if (!o.matches(from, to)) continue;
    if (o.latency) p.latency = o.latency;
    if (o.has_loss) p.loss = o.loss;
    if (o.has_duplicate) p.duplicate = o.duplicate;
  }
  return p;
}

}  // namespace faultline

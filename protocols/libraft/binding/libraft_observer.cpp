// libraft's observer: the shared Raft observer, plus unavailable_nodes (see libraft_protocol.hpp).
#include "protocols/libraft/binding/libraft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

LibraftObserver::LibraftObserver(const Scenario& scenario, const libraft::Params& params,
                                 Simulation<LibraftProtocol>& sim)
    : RaftObserverFor<LibraftProtocol>(scenario, params, sim), sim_(sim), unavailable_(scenario.node_count(), false) {}

void LibraftObserver::after_event(Time t) {
  RaftObserverFor<LibraftProtocol>::after_event(t);
  // A server's state changes only when it handles an event.
  const NodeId n = sim_.acting_node();
  if (n != kNoNode && sim_.is_running(n) && sim_.node(n).unavailable()) unavailable_[n] = true;
}

void LibraftObserver::finish(Time end, Metrics& metrics) {
  RaftObserverFor<LibraftProtocol>::finish(end, metrics);
  set_scalar(metrics, "unavailable_nodes",
             static_cast<double>(std::count(unavailable_.begin(), unavailable_.end(), true)));
}

}  // namespace faultline

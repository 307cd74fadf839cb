#include "protocols/pingpong/binding/pingpong_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

void PingPongObserver::finish(Time, Metrics& metrics) {
  std::uint64_t pongs = 0;
  for (NodeId n = 0; n < sim_.node_count(); ++n) pongs += sim_.node(n).pongs();
  set_scalar(metrics, "round_trips", static_cast<double>(pongs));
}

}  // namespace faultline

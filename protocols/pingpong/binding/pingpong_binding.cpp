// Binds the ping-pong protocol (protocols/pingpong), used by the engine
// benchmark, to the simulator.
#include "protocols/pingpong/pingpong_node.hpp"
#include "sim/binding/binding_support.hpp"
#include "protocols/pingpong/binding/pingpong_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

ProtocolBinding pingpong_binding() {
  ProtocolBinding b;
  b.name = "pingpong";
  b.memory_per_node = 400;  // as gossip's: an engine record and a small node
  b.summary = "every node keeps one ping in flight to a random peer (engine benchmark workload)";
  b.metrics = {"round_trips"};
  b.validate = [](const Scenario& s) { YamlSection::params_of(s).finish(); };
  b.run = [](const Scenario& s, const RunOptions& o) {
    static const pingpong::Params params;
    return run_protocol<PingPongProtocol>(s, params, o);
  };
  return b;
}

}  // namespace faultline

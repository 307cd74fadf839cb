// Every protocol faultline can run: the one place that names them all.
// Adding a protocol: its sans-IO code in protocols/<p>/, its binding in
// protocols/<p>/binding/ (a function returning its ProtocolBinding), and one
// line here. The order is `faultline --help`'s.
//
// Simulator-side code, like the binding/ folders: it is built with the
// simulator, not with the sans-IO protocols (CMakeLists.txt), and is the one
// file outside a binding/ folder that tests/sim/sans_io_rules_test.cpp lets
// include sim/.
#include "sim/binding/protocol_registry.hpp"

namespace faultline {

// Each defined in its protocol's binding/ folder.
ProtocolBinding heartbeat_binding();
ProtocolBinding pingpong_binding();
ProtocolBinding primary_backup_binding();
ProtocolBinding gossip_binding();
ProtocolBinding swim_binding();
ProtocolBinding raft_binding();
ProtocolBinding libraft_binding();
ProtocolBinding paxos_binding();
ProtocolBinding multipaxos_binding();
ProtocolBinding consul_binding();

// Built on first use (no static-initialisation order games); read-only after.
const std::vector<ProtocolBinding>& all_protocols() {
  static const std::vector<ProtocolBinding> all = [] {
    std::vector<ProtocolBinding> v;
    v.push_back(heartbeat_binding());
    v.push_back(pingpong_binding());
    v.push_back(primary_backup_binding());
    v.push_back(gossip_binding());
    v.push_back(swim_binding());
    v.push_back(raft_binding());
    v.push_back(libraft_binding());
    v.push_back(paxos_binding());
    v.push_back(multipaxos_binding());
    v.push_back(consul_binding());
    return v;
  }();
  return all;
}

}  // namespace faultline

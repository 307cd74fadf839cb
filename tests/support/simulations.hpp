// The simulations that test files drive directly (building one, or through
// run_protocol), declared as compiled elsewhere: tests/support/
// simulation_<protocol>.cpp compiles each once, so a test file that
// includes this header does not compile the whole engine over again. One
// that did took about 22 s of GCC's time (-O2 -g; 9 s with this header),
// and the test binary is built twice in CI (plain and sanitized).
//
// A test's own protocol struct (a variant of an observer, say) is still
// compiled where it is used; one that only silences protocol events needs
// no variant: RunOptions::observer_hears_events. (Heartbeat's runs are
// compiled once in tests/support/heartbeat_runs.cpp.)
#pragma once

#include "protocols/consul/binding/consul_protocol.hpp"
#include "protocols/gossip/binding/gossip_protocol.hpp"
#include "protocols/paxos/binding/paxos_protocol.hpp"
#include "protocols/primary_backup/binding/primary_backup_protocol.hpp"
#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

extern template class Simulation<ConsulProtocol>;
extern template class Simulation<GossipProtocol>;
extern template class Simulation<MultiPaxosProtocol>;
extern template class Simulation<PrimaryBackupProtocol>;
extern template class Simulation<RaftProtocol>;

}  // namespace faultline

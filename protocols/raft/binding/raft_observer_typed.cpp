// RaftObserver's look over faultline's own RaftNode, read as raft::RaftNodeView
// without virtual calls (see the extern declaration in raft_protocol.hpp).
#include "protocols/raft/binding/raft_protocol.hpp"
#include "sim/simulation.hpp"

namespace faultline {

template void RaftObserver::look_changed_at<SimulationRaftCluster<RaftProtocol>::TypedViews>(
    Time, NodeId, const SimulationRaftCluster<RaftProtocol>::TypedViews&);

}  // namespace faultline

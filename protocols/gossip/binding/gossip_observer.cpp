#include "protocols/gossip/binding/gossip_observer_impl.hpp"

namespace faultline {

template class GossipObserverFor<GossipProtocol>;

}  // namespace faultline

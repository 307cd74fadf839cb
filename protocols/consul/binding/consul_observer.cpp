// The Consul observer faultline runs (consul_observer.hpp; definitions in
// consul_observer_impl.hpp).
#include "protocols/consul/binding/consul_observer_impl.hpp"
#include "protocols/consul/binding/consul_protocol.hpp"

namespace faultline {

template class ConsulObserverFor<ConsulProtocol>;

}  // namespace faultline

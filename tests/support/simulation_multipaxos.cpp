// Simulation<MultiPaxosProtocol>, compiled once for every test file that includes
// tests/support/simulations.hpp.
#include "tests/support/simulations.hpp"

namespace faultline {

template class Simulation<MultiPaxosProtocol>;

}  // namespace faultline

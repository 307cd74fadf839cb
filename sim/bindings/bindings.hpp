// One function per protocol binding; protocol_registry.cpp lists them.
#pragma once

#include "sim/protocol_registry.hpp"

namespace faultline {

ProtocolBinding heartbeat_binding();
ProtocolBinding pingpong_binding();

}  // namespace faultline

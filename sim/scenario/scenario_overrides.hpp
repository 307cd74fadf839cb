#pragma once

#include <yaml-cpp/yaml.h>

#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

// Sets one --set override in the YAML tree; throws ScenarioError naming it.
void apply_override(YAML::Node& root, const Override& o);

}  // namespace faultline

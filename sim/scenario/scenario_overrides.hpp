#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"

namespace faultline {

// Sets one --set override in the YAML tree; throws ScenarioError naming it.
// Returns the dotted paths of the mappings and lists it created on the way
// (`a` and `a.b` for `--set a.b.c=1` on a file without `a`): those came from
// the command line too, and an error found in them must name the override.
std::vector<std::string> apply_override(YAML::Node& root, const Override& o);

}  // namespace faultline

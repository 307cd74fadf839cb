// The order lanes and tracks are drawn in: node names by their text with runs
// of digits compared as numbers (n2 before n10), as a person expects.
#pragma once

#include <string>
#include <vector>

#include "sim/view/trace_reader.hpp"

namespace faultline::view {

bool node_name_less(const std::string& a, const std::string& b);

// Every node named in the trace (`node`, `to`, `from`), in node_name_less order.
std::vector<std::string> trace_nodes(const std::vector<TraceLine>& lines);

}  // namespace faultline::view

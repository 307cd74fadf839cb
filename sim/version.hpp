// faultline's version, written into sweep result files (sim/run/sweep_record.hpp):
// `merge` refuses shards made by different versions, whose runs may differ.
// Raise it with any change that changes a run's result.
#pragma once

namespace faultline {
inline constexpr const char* kFaultlineVersion = "0.13.0";
}

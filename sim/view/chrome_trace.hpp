// A faultline trace as Chrome Trace Event JSON, for Perfetto UI
// (ui.perfetto.dev, "Open trace file") or chrome://tracing.
//
// The mapping (docs/viewer.md has it with a how-to):
//   - each node is a process (pid 1.. in node order) with three threads:
//     tid 1 "events" (every trace line as a slice or an instant),
//     tid 2 "role" (X slices: leader/follower/candidate with the term, from
//     the role event to the next one or to a crash),
//     tid 3 "faults" (X slices while crashed or paused, instants for faults);
//   - pid 0 "network": network-wide faults and partitions (X slices until the
//     heal), and a violation that names no node;
//   - the last pid "clients": one thread per client, an X slice per operation
//     from `invoke` to `complete` (when the trace has them);
//   - a message is a 1 ns X slice at its send and at its delivery or drop on
//     the "events" threads, joined by a flow (ph "s" at the send, ph "f" with
//     "bp":"e" at the first delivery or the drop; both bind to the enclosing
//     1 ns slice). A duplicate delivery gets a slice and no flow.
// Timestamps are microseconds with nanosecond decimals ("ts":1965815.474), so
// nothing is rounded; events are sorted by time, so every thread is monotone.
// Every line's fields are the slice's or instant's `args`.
#pragma once

#include <string>
#include <vector>

#include "sim/view/trace_reader.hpp"

namespace faultline::view {

std::string chrome_trace_json(const std::vector<TraceLine>& lines, const std::string& title);

}  // namespace faultline::view

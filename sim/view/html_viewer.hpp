// The space-time viewer: one self-contained HTML page (sim/view/viewer.html,
// viewer.css and viewer.js, embedded into the binary at build time by
// cmake/embed_viewer.cmake) with the trace inside it as a JSON array of the
// trace's own lines. It needs no network and no other file. docs/viewer.md
// says what it draws and how it stays fast on large traces.
#pragma once

#include <string>
#include <vector>

#include "sim/view/trace_reader.hpp"

namespace faultline::view {

// `title` heads the page (e.g. the scenario, seed and result).
std::string viewer_page(const std::vector<TraceLine>& lines, const std::string& title);

}  // namespace faultline::view

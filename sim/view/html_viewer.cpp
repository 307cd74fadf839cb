#include "sim/view/html_viewer.hpp"

#include <fmt/format.h>

#include "sim/view/viewer_page.hpp"  // generated: kViewerPage

namespace faultline::view {

namespace {

// Inside <script> the text must never contain "</script" or "<!--"; in JSON a
// '<' can only be inside a string, where \u003c means the same.
void append_script_safe(std::string& out, std::string_view json) {
  for (const char c : json) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Replaces every `placeholder` before `limit` (where the data begins).
void replace_before(std::string& page, std::string_view placeholder, const std::string& with, std::size_t limit) {
  for (auto at = page.find(placeholder); at != std::string::npos && at < limit;
       at = page.find(placeholder, at + with.size())) {
    page.replace(at, placeholder.size(), with);
    limit = limit + with.size() - placeholder.size();
  }
}

}  // namespace

std::string viewer_page(const std::vector<TraceLine>& lines, const std::string& title) {
  std::string data = "[\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    append_script_safe(data, lines[i].json);
    data += i + 1 < lines.size() ? ",\n" : "\n";
  }
  data += "]";

  std::string page(kViewerPage);
  // The data last, so that no text inside the trace is ever taken for a placeholder.
  constexpr std::string_view kData = "@FAULTLINE_TRACE_JSON@";
  replace_before(page, "@FAULTLINE_TITLE_HTML@", html_escape(title), page.find(kData));
  page.replace(page.find(kData), kData.size(), data);
  return page;
}

}  // namespace faultline::view

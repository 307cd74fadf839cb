// TraceHash folds a string exactly as it did when every word was loaded
// with memcpy: the faster tail load must not change a single trace hash.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "sim/trace/trace_hash.hpp"

using namespace faultline;

namespace {

// The fold of a string as first written: its length, its whole words, then
// the last 0..7 bytes copied into a zeroed word.
std::uint64_t reference_hash(std::string_view text) {
  TraceHash h;
  h.add(static_cast<std::uint64_t>(text.size()));
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    h.add(w);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, text.data() + i, text.size() - i);
  h.add(tail);
  return h.value();
}

}  // namespace

TEST_CASE("a string folds into the trace hash as its memcpy'd words, at every length") {
  const std::string text = "append_entries_response\xff\x80 pull_request";
  for (std::size_t begin = 0; begin < 5; ++begin) {
    for (std::size_t length = 0; begin + length <= text.size(); ++length) {
      TraceHash h;
      h.add(std::string_view(text).substr(begin, length));
      CHECK_MESSAGE(h.value() == reference_hash(std::string_view(text).substr(begin, length)),
                    "begin ", begin, " length ", length);
    }
  }
  // And the words themselves matter: two types of one length differ.
  TraceHash push, pull;
  push.add(std::string_view("push"));
  pull.add(std::string_view("pull"));
  CHECK(push.value() != pull.value());
}

TEST_CASE("a field name folds into the trace hash as its length and memcpy'd first seven bytes") {
  const std::string text = "version\xff\x80 from key informed_by";
  for (std::size_t begin = 0; begin < 5; ++begin) {
    for (std::size_t length = 0; begin + length <= text.size(); ++length) {
      const std::string_view name = std::string_view(text).substr(begin, length);
      std::uint64_t w = static_cast<std::uint64_t>(name.size()) << 56;
      std::memcpy(&w, name.data(), std::min<std::size_t>(name.size(), 7));
      TraceHash got, want;
      got.add_name(name);
      want.add(w);
      CHECK_MESSAGE(got.value() == want.value(), "begin ", begin, " length ", length);
    }
  }
}

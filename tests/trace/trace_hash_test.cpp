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

TEST_CASE("a field name folds into the trace hash as its length and its first seven bytes memcpy'd, at every length") {
  const std::string text = "leader_commit\xff\x80 term";
  for (std::size_t begin = 0; begin < 5; ++begin) {
    for (std::size_t length = 0; begin + length <= text.size(); ++length) {
      const std::string_view name = std::string_view(text).substr(begin, length);
      std::uint64_t w = static_cast<std::uint64_t>(name.size()) << 56;  // as add_name was first written
      std::memcpy(&w, name.data(), std::min<std::size_t>(name.size(), 7));
      TraceHash reference, h;
      reference.add(w);
      h.add_name(name);
      CHECK_MESSAGE(h.value() == reference.value(), "begin ", begin, " length ", length);
    }
  }
}

// Every field name a Raft run with clients, a disk and faults traces (its
// protocol events, the workload's operations, disk syncs and faults), and
// names of every length from 0 to 17 with bytes above 0x7f.
constexpr TraceKey kFieldNames[] = {
    "term", "log", "to", "role", "index", "digest", "from", "count", "server", "add", "client", "op", "key",
    "value", "expected", "result", "id", "done_at", "syncs", "held", "cause", "action", "groups", "ppm",
    "factor_permille", "", "a", "ab", "abc", "\xff\x80\x01\x7f", "abcde", "abcdef", "abcdefg", "abcdefgh",
    "\x80\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", "last_index", "leader_hint", "leader_commit", "snapshot_term",
    "candidate_term", "transfer_target", "last_included_term", "last_included_index"};

TEST_CASE("a field name's word computed at compile time is the word add_name folds at run time") {
  for (const TraceKey& key : kFieldNames) {
    const std::string runtime(key.name);  // a name the compiler cannot see
    TraceHash folded, precomputed;
    folded.add_name(runtime);
    precomputed.add(key.word);
    CHECK_MESSAGE(folded.value() == precomputed.value(), "name '", runtime, "' length ", runtime.size());
    CHECK(TraceKey(std::string_view(runtime)).word == key.word);
  }
  // A field built from a literal carries the literal's word, whatever its value's type.
  CHECK(TraceField("leader_commit", 3).key_word == TraceKey(std::string_view(std::string("leader_commit"))).word);
  CHECK(TraceField("op", "get").key_word == TraceKey(std::string_view(std::string("op"))).word);
  CHECK(TraceField("op", "get").is_text);
}

// The key-value workload hashes its client operations field by field, with
// precomputed texts (TraceText) for its kinds, operation names, results and
// keys: the trace hash and the trace line must be exactly those of the
// event given as a list of fields (TraceRecorder::client_operation).
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace_hash.hpp"
#include "sim/trace/trace_recorder.hpp"
#include "sim/trace/trace_text.hpp"

using namespace faultline;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("a precomputed trace text folds the words TraceHash folds for its bytes at every length to 23") {
  const std::string text = "complete\xff\x80\x01 unknown_append";
  for (std::size_t begin = 0; begin < 4; ++begin) {
    for (std::size_t length = 0; length <= TraceText::kMaxSize; ++length) {
      const std::string_view view = std::string_view(text).substr(begin, length);
      TraceHash direct, precomputed;
      direct.add(view);
      TraceText(view).add_to(precomputed);
      CHECK_MESSAGE(direct.value() == precomputed.value(), "begin ", begin, " length ", length);
      CHECK(TraceText(view).text() == view);
    }
  }
  // A literal's words are computed at compile time, the same words.
  constexpr TraceText kComplete = "complete";
  TraceHash direct, precomputed;
  direct.add(std::string_view("complete"));
  kComplete.add_to(precomputed);
  CHECK(direct.value() == precomputed.value());
  CHECK_THROWS_AS(TraceText(std::string_view(text).substr(0, 24)), std::length_error);
}

TEST_CASE("a client operation given field by field hashes and writes what the list of its fields does") {
  const Scenario names;
  const fs::path dir = fs::temp_directory_path() / "faultline_trace_text_test";
  fs::create_directories(dir);
  TraceRecorder listed(names, TraceLevel::kProtocol), by_field(names, TraceLevel::kProtocol);
  listed.open((dir / "listed.jsonl").string(), false);
  by_field.open((dir / "by_field.jsonl").string(), false);
  const std::string key = "k12", value = "3.1234567", expected = "2.77";
  const std::string long_key = "k1234567890123456";  // longer than a TraceText
  constexpr TraceText kInvoke = "invoke", kComplete = "complete", kCas = "cas", kOk = "ok";
  const TraceText key_text{std::string_view(key)};

  listed.client_operation(1000, "invoke", {{"client", std::uint32_t{7}}, {"op", "cas"}, {"key", std::string_view(key)},
                                           {"value", std::string_view(value)}, {"expected", std::string_view(expected)}});
  TraceRecorder::ClientOperation e = by_field.begin_client_operation(1000, kInvoke);
  e.field("client", std::uint64_t{7});
  e.field("op", kCas);
  e.field("key", key_text);
  e.field("value", std::string_view(value));
  e.field("expected", std::string_view(expected));
  e.finish();
  CHECK(listed.hash() == by_field.hash());

  listed.client_operation(2500, "complete", {{"client", std::uint32_t{7}}, {"op", "cas"},
                                             {"key", std::string_view(long_key)}, {"result", "ok"}});
  TraceRecorder::ClientOperation c = by_field.begin_client_operation(2500, kComplete);
  c.field("client", std::uint64_t{7});
  c.field("op", kCas);
  c.field("key", std::string_view(long_key));
  c.field("result", kOk);
  c.finish();
  CHECK(listed.hash() == by_field.hash());
  CHECK(listed.events() == 2);
  CHECK(by_field.events() == 2);

  listed.commit();
  by_field.commit();
  const std::string lines = read_file(dir / "listed.jsonl");
  CHECK(lines.find("\"kind\":\"invoke\",\"client\":7,\"op\":\"cas\",\"key\":\"k12\",\"value\":\"3.1234567\"") !=
        std::string::npos);
  CHECK(read_file(dir / "by_field.jsonl") == lines);
  fs::remove_all(dir);
}

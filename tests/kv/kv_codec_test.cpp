// The key-value request codec (protocols/kv/kv_codec.hpp): what a Raft log
// entry or a Paxos value holds in durable storage, read back on restart.
// Checked against a plain character-by-character decoder on random texts,
// escapes and separators included, and by round trips.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "protocols/host/rng.hpp"
#include "protocols/kv/kv_codec.hpp"

using namespace faultline;

namespace {

// The reference: fields split at separators that are not escaped, each
// unescaped; then the numbers parsed whole.
std::optional<kv::Request> reference_decode(const std::string& text) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      fields.back().push_back(text[++i]);
    } else if (text[i] == '\x1f') {
      fields.emplace_back();
    } else {
      fields.back().push_back(text[i]);
    }
  }
  if (fields.size() != 7) return std::nullopt;
  auto number = [](const std::string& digits, auto& out) {
    if (digits.empty()) return false;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  kv::Request r;
  int kind = 0;
  if (!number(fields[0], r.client) || !number(fields[1], r.sequence) || !number(fields[2], kind) ||
      !number(fields[6], r.server))
    return std::nullopt;
  r.kind = static_cast<kv::OpKind>(kind);
  r.key = fields[3];
  r.value = fields[4];
  r.expected = fields[5];
  return r;
}

bool same(const std::optional<kv::Request>& a, const std::optional<kv::Request>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->client == b->client && a->sequence == b->sequence && a->kind == b->kind && a->key == b->key &&
         a->value == b->value && a->expected == b->expected && a->server == b->server;
}

std::string random_text(Rng& rng, std::size_t max_length, std::string_view alphabet) {
  std::string s(rng.below(max_length + 1), ' ');
  for (char& c : s) c = alphabet[rng.below(alphabet.size())];
  return s;
}

}  // namespace

TEST_CASE("kv codec: a request round-trips, separators and escapes in its strings included") {
  Rng rng(7);
  for (int i = 0; i < 2000; ++i) {
    kv::Request r;
    r.client = static_cast<ClientId>(rng.below(1000));
    r.sequence = rng.below(1'000'000'000);
    r.kind = static_cast<kv::OpKind>(rng.below(4));
    r.key = random_text(rng, 6, "k1\x1f\\");
    r.value = random_text(rng, 8, "0.9\x1f\\");
    r.expected = random_text(rng, 8, "0.9\x1f\\");
    r.server = rng.below(2) ? kNoNode : static_cast<NodeId>(rng.below(9));
    CAPTURE(kv::encode(r));
    const auto back = kv::decode(kv::encode(r));
    REQUIRE(back.has_value());
    CHECK(same(back, r));
  }
}

TEST_CASE("kv codec: any text decodes as the character-by-character reader reads it") {
  // About seven short fields of digits, separators, backslashes and
  // letters joined by separators: some are not seven fields, many have
  // escapes in odd places (a number, a separator, the last character).
  Rng rng(11);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::size_t fields = 6 + rng.below(3);
    std::string text;
    for (std::size_t f = 0; f < fields; ++f) {
      if (f > 0) text += '\x1f';
      text += random_text(rng, 3, "12312312\\a\x1f");
    }
    CAPTURE(text);
    const auto got = kv::decode(text);
    CHECK(same(got, reference_decode(text)));
    decoded += got.has_value();
  }
  CHECK(decoded > 100);  // the random texts reach the decoding, not only the rejections
  CHECK(same(kv::decode("1\x1f" "2\x1f" "3\x1f" "k\x1f" "v\x1f" "e\x1f" "4\\"), std::nullopt));  // a trailing backslash is no digit
  CHECK(same(kv::decode("1\x1f" "2\x1f" "3\x1f" "k\\\x1f" "x\x1f" "v\x1f" "e\x1f" "4"), reference_decode("1\x1f" "2\x1f" "3\x1f" "k\\\x1f" "x\x1f" "v\x1f" "e\x1f" "4")));
  const auto escaped = kv::decode("1\x1f" "2\x1f" "3\x1f" "k\\\x1fx\x1f" "v\x1f" "e\x1f" "4");
  REQUIRE(escaped.has_value());
  CHECK(escaped->key == "k\x1fx");
  CHECK(escaped->server == 4);
}

TEST_CASE("kv codec: a request is written field by field with escapes only where needed and appended after what is there") {
  // The reference writer: each field in turn, a separator or backslash in a
  // string escaped with a backslash.
  auto reference = [](const kv::Request& r) {
    auto escaped = [](const std::string& s) {
      std::string out;
      for (char c : s) {
        if (c == '\x1f' || c == '\\') out += '\\';
        out += c;
      }
      return out;
    };
    return std::to_string(r.client) + '\x1f' + std::to_string(r.sequence) + '\x1f' +
           std::to_string(static_cast<int>(r.kind)) + '\x1f' + escaped(r.key) + '\x1f' + escaped(r.value) + '\x1f' +
           escaped(r.expected) + '\x1f' + std::to_string(r.server);
  };
  Rng rng(5);
  for (int i = 0; i < 3000; ++i) {
    kv::Request r;
    r.client = static_cast<ClientId>(rng.below(2) ? rng.below(10) : rng.next());
    r.sequence = rng.below(2) ? rng.below(100) : rng.next();
    r.kind = static_cast<kv::OpKind>(rng.below(7));
    // Up to 100 characters each, empty ones included; a value with an escape
    // in one request of four takes the escaping path.
    r.key = random_text(rng, 100, "k1");
    r.value = random_text(rng, 100, rng.below(4) ? "0.9" : "0.9\x1f\\");
    r.expected = random_text(rng, 100, "0.9");
    r.server = rng.below(2) ? kNoNode : static_cast<NodeId>(rng.below(9));
    CAPTURE(i);
    CHECK(kv::encode(r) == reference(r));
    std::string appended = "prefix";
    kv::encode_into(appended, r);
    CHECK(appended == "prefix" + reference(r));
  }
}

TEST_CASE("kv codec: a string needs escaping exactly when a byte of it is the separator or the escape") {
  // Against a byte loop, for every length up to 24 and every position of
  // each byte that matters, among bytes that differ from them by one bit
  // or one step (the word-at-a-time test's near misses).
  auto oracle = [](std::string_view s) {
    for (const char c : s)
      if (c == '\x1f' || c == '\\') return true;
    return false;
  };
  const char fillers[] = {'a', '\x1e', '\x20', '\x1d', '\x5b', '\x5d', '\x5e', '\x9f', '\xdc', '\0', '\x7f', '\xff'};
  for (std::size_t length = 0; length <= 24; ++length)
    for (const char filler : fillers) {
      std::string s(length, filler);
      CAPTURE(length);
      CAPTURE(static_cast<int>(static_cast<unsigned char>(filler)));
      CHECK(kv::needs_escape(s) == oracle(s));
      for (std::size_t at = 0; at < length; ++at)
        for (const char special : {'\x1f', '\\'}) {
          std::string t = s;
          t[at] = special;
          CAPTURE(at);
          CHECK(kv::needs_escape(t));
          // Only the bytes of the string count, never those after it.
          CHECK_FALSE(kv::needs_escape(std::string_view(t).substr(0, at)));
        }
    }
}

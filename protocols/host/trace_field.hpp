// Structured fields of a protocol trace event: emit("role", {{"term", 3},
// {"role", "leader"}}). Keys and text must be string literals or otherwise
// outlive the call; the host copies what it keeps.
#pragma once

#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "protocols/host/short_bytes.hpp"
#include "protocols/host/time.hpp"

namespace faultline {

// The one word a field name folds into the trace hash as (TraceHash::add_name,
// sim/trace/trace_hash.hpp): its length at bits 56..63 and its first seven
// bytes, on a little-endian machine byte j at bits 8j, as a memcpy of them
// into that word lays them. At compile time a byte loop (memcpy is not
// constexpr); at run time one, two or three loads, as the hash's string tail
// (a memcpy of a run-time length was a byte loop, a third of the cost of
// hashing a trace event's fields). tests/trace/trace_hash_test.cpp checks the
// two agree.
constexpr std::uint64_t trace_name_word(std::string_view name) {
  std::uint64_t w = static_cast<std::uint64_t>(name.size()) << 56;
  const std::size_t copied = name.size() < 7 ? name.size() : 7;
  if (std::is_constant_evaluated()) {
    for (std::size_t j = 0; j < copied; ++j) {
      const std::uint64_t byte = static_cast<unsigned char>(name[j]);
      // memcpy's byte j is the word's byte j in memory: bits 8j on a
      // little-endian machine, bits 56 - 8j on a big-endian one (where it
      // overwrites the length's byte, as the memcpy does).
      const int shift = std::endian::native == std::endian::little ? static_cast<int>(8 * j)
                                                                    : static_cast<int>(56 - 8 * j);
      w = (w & ~(std::uint64_t{0xff} << shift)) | (byte << shift);
    }
    return w;
  }
  if constexpr (std::endian::native == std::endian::little) {
    const char* p = name.data();
    if (name.size() >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      w |= v & 0x00ff'ffff'ffff'ffffULL;
    } else {
      w |= load_short_little_endian(p, name.size());
    }
  } else {
    std::memcpy(&w, name.data(), copied);
  }
  return w;
}

// A field's name and its hash word. From a string literal (every field of
// every protocol) the word is computed at compile time: the consteval
// constructor is an exact match for a literal, so it is always the one
// chosen. A name known only at run time gets its word at run time.
struct TraceKey {
  std::string_view name;
  std::uint64_t word;

  template <std::size_t N>
  consteval TraceKey(const char (&literal)[N]) : name(literal), word(trace_name_word(name)) {}
  constexpr TraceKey(std::string_view n) : name(n), word(trace_name_word(n)) {}
};

struct TraceField {
  std::string_view key;
  std::uint64_t key_word = 0;  // trace_name_word(key), folded into the trace hash for the key
  std::int64_t number = 0;
  std::string_view text;
  bool is_text = false;

  constexpr TraceField(TraceKey k, std::int64_t n) : key(k.name), key_word(k.word), number(n) {}
  constexpr TraceField(TraceKey k, int n) : key(k.name), key_word(k.word), number(n) {}
  constexpr TraceField(TraceKey k, std::uint32_t n) : key(k.name), key_word(k.word), number(n) {}
  constexpr TraceField(TraceKey k, std::uint64_t n)
      : key(k.name), key_word(k.word), number(static_cast<std::int64_t>(n)) {}
  constexpr TraceField(TraceKey k, std::string_view t) : key(k.name), key_word(k.word), text(t), is_text(true) {}
  constexpr TraceField(TraceKey k, const char* t) : key(k.name), key_word(k.word), text(t), is_text(true) {}
};

// A short text field built on the stack, for a message's list of items
// ("1:3,2:5"): append, then pass view() as a TraceField's text while this
// lives. Holds at most N characters; what does not fit is left out.
template <std::size_t N>
class FieldText {
 public:
  FieldText& add(std::string_view text) {
    for (char c : text)
      if (size_ < N) buf_[size_++] = c;
    return *this;
  }
  FieldText& add(std::uint64_t number) {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    return add(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  std::string_view view() const { return {buf_, size_}; }

 private:
  char buf_[N];
  std::size_t size_ = 0;
};

// A node id as a protocol or message field: the number, or -1 for none.
inline std::int64_t node_field(NodeId node) { return node == kNoNode ? -1 : static_cast<std::int64_t>(node); }

}  // namespace faultline

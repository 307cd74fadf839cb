// A short text with the words TraceHash::add(text) folds for it computed
// once: the key-value workload's event kinds, operation names, results and
// key names, hashed twice per client request (sim/workload/kv_workload.cpp).
// Folding it (add_to) adds exactly the words add(text) adds: its length,
// its whole 8-byte words, then the last 0..7 bytes as one word (see
// TraceHash::add(std::string_view)); tests/trace/trace_text_test.cpp checks
// the two agree at every length.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "sim/trace/trace_hash.hpp"

namespace faultline {

class TraceText {
 public:
  static constexpr std::size_t kMaxSize = 23;  // two, three or four words

  // From a string literal, computed at compile time.
  template <std::size_t N>
  consteval TraceText(const char (&literal)[N]) : TraceText(std::string_view(literal, N - 1)) {}
  // `text` must outlive this object; at most kMaxSize bytes.
  constexpr explicit TraceText(std::string_view text) : text_(text) {
    if (text.size() > kMaxSize) throw std::length_error("TraceText: more than 23 bytes");
    words_[0] = text.size();
    // The whole 8-byte words, then the last 0..7 bytes (0 when nothing is
    // left, as add(text) folds).
    const std::size_t whole = text.size() / 8;
    for (std::size_t w = 0; w < whole; ++w) words_[1 + w] = piece(text.data() + 8 * w, 8);
    words_[1 + whole] = piece(text.data() + 8 * whole, text.size() - 8 * whole);
    count_ = static_cast<std::uint8_t>(2 + whole);
  }

  std::string_view text() const { return text_; }
  // What TraceHash::add(text()) does.
  [[gnu::always_inline]] void add_to(TraceHash& h) const {
    h.add(words_[0]);
    h.add(words_[1]);
    if (count_ > 2) {
      h.add(words_[2]);
      if (count_ > 3) h.add(words_[3]);
    }
  }

 private:
  // Bytes p[0..n), n <= 8, as a memcpy of them into a zeroed word lays them
  // (how TraceHash loads a whole word and the tail): byte j at bits 8j on a
  // little-endian machine, at bits 56 - 8j on a big-endian one. A byte loop:
  // it runs once per text, at compile time for a literal.
  static constexpr std::uint64_t piece(const char* p, std::size_t n) {
    std::uint64_t w = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const std::uint64_t byte = static_cast<unsigned char>(p[j]);
      w |= byte << (std::endian::native == std::endian::little ? 8 * j : 56 - 8 * j);
    }
    return w;
  }

  std::string_view text_;
  std::uint64_t words_[4] = {0, 0, 0, 0};
  std::uint8_t count_ = 2;  // words_[0 .. count_) are folded
};

}  // namespace faultline

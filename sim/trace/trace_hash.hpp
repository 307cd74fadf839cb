// A 64-bit hash over every trace event of a run, computed whether or not a
// trace file is written and whatever the trace level, so two runs are the
// same run exactly when their hashes agree.
//
// Each event folds in its fields as 64-bit words, one step per word (add:
// xor, rotate, multiply by an odd constant); strings are folded 8 bytes at a
// time, and value() finishes with a murmur-style avalanche. Cheap enough to
// run on every event of a million-node gossip run.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "protocols/host/short_bytes.hpp"
#include "protocols/host/trace_field.hpp"

namespace faultline {

class TraceHash {
 public:
  // One step: h = rotl(h ^ word, 29) * K. Each of the three is a bijection
  // of h for a given word, so two word sequences that differ in one word
  // always end in different states (tests/trace/trace_hash_test.cpp). A
  // multiply spreads each bit upwards; the next step's rotation brings its
  // well-mixed high bits down to be spread again; value()'s finish makes
  // every bit of the last word reach every bit of the result.
  // Three instructions and about 5 cycles of latency a word, against about
  // nine instructions and 8 cycles for the step it replaced on 2 Dec 2026
  // (h ^= word + c + (h << 6) + (h >> 2); h *= K; h ^= h >> 32), whose chain
  // held up every event: the hash was 12% of the Raft hour's instructions.
  // Every trace hash changed with it (docs/performance.md, 2 Dec 2026,
  // fifth session).
  // Always inlined: with the protocol events' and client operations' fields
  // hashed inline as well, GCC called it out of line (+2.7 M instructions in
  // a 20 s Raft run, measured with callgrind).
  [[gnu::always_inline]] void add(std::uint64_t word) { h_ = std::rotl(h_ ^ word, 29) * kMultiplier; }
  // Always inlined: a message's type is hashed on every send, and the
  // compiler would otherwise call it out of line once it has enough callers
  // (+3% instructions on the ping-pong benchmark, measured with callgrind).
  [[gnu::always_inline]] void add(std::string_view text) {
    add(text.size());
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + i, 8);
      add(w);
    }
    // The last 0..7 bytes as one word, as memcpy would load them, without a
    // call to memcpy for a length known only at run time (a message type is
    // hashed on every send): on a little-endian machine, byte j at bits 8j.
    const std::size_t rest = text.size() - i;
    std::uint64_t tail = 0;
    if constexpr (std::endian::native == std::endian::little) {
      if (rest != 0 && text.size() >= 8) {
        std::memcpy(&tail, text.data() + text.size() - 8, 8);
        tail >>= 8 * (8 - rest);
      } else {  // a short string
        tail = load_short_little_endian(text.data() + i, rest);
      }
    } else {
      std::memcpy(&tail, text.data() + i, rest);
    }
    add(tail);
  }
  // A field name: one word (its length and first seven bytes, see
  // trace_name_word), enough to tell a protocol's few field names apart at a
  // fraction of add(text)'s cost. A TraceField carries this word already
  // computed (at compile time for a literal name): add(field.key_word).
  void add_name(std::string_view name) { add(trace_name_word(name)); }
  static constexpr std::uint64_t kMultiplier = 0xff51afd7ed558ccdULL;  // odd: a bijection
  // The running state, before value()'s finish (the tests undo a step).
  std::uint64_t state() const { return h_; }
  std::uint64_t value() const {
    std::uint64_t z = h_;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    return z ^ (z >> 33);
  }

 private:
  std::uint64_t h_ = 0x6a09e667f3bcc908ULL;
};

}  // namespace faultline

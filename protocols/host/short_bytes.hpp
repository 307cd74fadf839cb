// Bytes p[0..n), n < 8, as one word, loaded without a byte loop: shared by
// the trace hash (sim/trace/trace_hash.hpp) and the key-value store's key
// table (protocols/kv/insert_only_table.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace faultline {

// Bytes p[0..n), n < 8, as the word a memcpy of them into a zeroed word
// makes on a little-endian machine (byte j at bits 8j): a 4-, a 2- and a
// 1-byte piece, each when its bit of n is set. A memcpy of a run-time
// length compiles to a byte loop; these are three fixed-size loads.
inline std::uint64_t load_short_little_endian(const char* p, std::size_t n) {
  std::uint64_t w = 0;
  std::size_t at = 0;
  if (n & 4) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    w = v;
    at = 4;
  }
  if (n & 2) {
    std::uint16_t v;
    std::memcpy(&v, p + at, 2);
    w |= static_cast<std::uint64_t>(v) << (8 * at);
    at += 2;
  }
  if (n & 1) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[at])) << (8 * at);
  return w;
}

}  // namespace faultline

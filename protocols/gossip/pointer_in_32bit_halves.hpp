// PointerIn32BitHalves: a pointer that asks only 4-byte alignment of what holds it.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace faultline::gossip {

// A pointer kept as two 32-bit halves, so the object holding it is aligned
// to 4 bytes, not 8: a gossip node is 36 bytes, and the simulation packs it
// with its timer generations and status into 48 bytes before the 8-aligned
// random stream (an 80-byte record; with an 8-aligned node, 88).
template <class T>
class PointerIn32BitHalves {
 public:
  explicit PointerIn32BitHalves(T* p) { std::memcpy(halves_.data(), &p, sizeof p); }
  T* get() const {
    T* p;
    std::memcpy(&p, halves_.data(), sizeof p);
    return p;
  }
  T* operator->() const { return get(); }

 private:
  static_assert(sizeof(T*) == 2 * sizeof(std::uint32_t));
  std::array<std::uint32_t, 2> halves_;
};

}  // namespace faultline::gossip

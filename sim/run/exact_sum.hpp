// ExactSum: the sum of doubles with no rounding at all, so it does not depend
// on the order of addition. A sweep split into shards adds its samples in a
// different order than one machine does; with an exact sum the merged mean is
// the same bytes as the one-machine mean.
//
// Every finite double is an integer multiple of 2^-1074 below 2^1024, so the
// sum is kept as a fixed-point integer of 2^-1074 units in 32-bit limbs held
// in int64 (room for 2^31 additions between carries). Non-finite values
// (inf, nan) are summed apart, in a double: their sums do not depend on order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace faultline {

class ExactSum {
 public:
  void add(double v);
  void merge(const ExactSum& other);
  // The exact sum rounded to a double (the same double for the same sum).
  double value() const;
  // A canonical text form ("" for zero; "i:hex,..." limbs; then "|inf" etc.)
  // and its parser; parse returns false on text not made by text().
  std::string text() const;
  static bool parse(std::string_view text, ExactSum& out);
  bool operator==(const ExactSum& other) const;

 private:
  static constexpr int kLimbs = 70;  // 2098 bits of doubles + 2^64 additions of headroom
  void normalize();                  // limbs 0..kLimbs-2 in [0, 2^32), the top one signed
  std::array<std::int64_t, kLimbs> limbs_{};  // limb i weighs 2^(32 i - 1074)
  std::uint32_t pending_ = 0;                 // additions since the last normalize()
  double non_finite_ = 0;                     // sum of the inf and nan values
};

}  // namespace faultline

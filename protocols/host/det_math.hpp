// Deterministic log and exp built only from IEEE-754 basic operations
// (+, -, *, /, and exact scaling by powers of two), which are correctly
// rounded everywhere. libm's log/exp may differ in the last bit between C
// libraries, and one bit of difference in a latency sample changes the order
// of events, so the distributions in rng.hpp use these instead.
// (The build also passes -ffp-contract=off so no fused multiply-add sneaks in.)
#pragma once

#include <cmath>
#include <limits>

namespace faultline::det {

// Natural logarithm for x > 0. x = m * 2^e with m in [sqrt(1/2), sqrt(2)),
// then log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716, summed as a series.
inline double log(double x) {
  if (!(x > 0.0)) return x == 0.0 ? -std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::quiet_NaN();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // exact: m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // 2 * (s + s^3/3 + s^5/5 + ...); |s|^2 < 0.0295, 12 terms reach 1e-19.
  double term = s;
  double sum = s;
  for (int k = 3; k <= 25; k += 2) {
    term *= s2;
    sum += term / k;
  }
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // exact in 32 bits
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return e * kLn2Hi + (2.0 * sum + e * kLn2Lo);
}

// e^x. x = k ln2 + r with |r| <= ln2/2, e^r by its Taylor series, then scaled
// by 2^k exactly.
inline double exp(double x) {
  if (x != x) return x;
  if (x > 709.0) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double kd = x * kInvLn2;
  const int k = static_cast<int>(kd < 0 ? kd - 0.5 : kd + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= 0.35
  // Taylor to r^20/20!: error below 1e-19 for |r| <= 0.35.
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n <= 20; ++n) {
    term *= r / n;
    sum += term;
  }
  return std::ldexp(sum, k);
}

}  // namespace faultline::det

#include "sim/run/exact_sum.hpp"

#include <bit>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace faultline {

void ExactSum::add(double v) {
  if (!std::isfinite(v)) {
    non_finite_ += v;
    return;
  }
  const auto bits = std::bit_cast<std::uint64_t>(v);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ff);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  // v = mantissa * 2^(offset - 1074): a subnormal has offset 0.
  const std::uint64_t mantissa = biased == 0 ? fraction : fraction | (std::uint64_t{1} << 52);
  const int offset = biased == 0 ? 0 : biased - 1;
  const unsigned __int128 shifted = static_cast<unsigned __int128>(mantissa) << (offset % 32);
  const int at = offset / 32;
  const std::int64_t sign = (bits >> 63) ? -1 : 1;
  limbs_[at] += sign * static_cast<std::int64_t>(shifted & 0xffffffffu);
  limbs_[at + 1] += sign * static_cast<std::int64_t>((shifted >> 32) & 0xffffffffu);
  limbs_[at + 2] += sign * static_cast<std::int64_t>(shifted >> 64);
  if (++pending_ >= (1u << 30)) normalize();
}

void ExactSum::merge(const ExactSum& other) {
  ExactSum o = other;
  o.normalize();
  normalize();
  for (int i = 0; i < kLimbs; ++i) limbs_[i] += o.limbs_[i];
  normalize();
  non_finite_ += other.non_finite_;
}

void ExactSum::normalize() {
  for (int i = 0; i + 1 < kLimbs; ++i) {
    const std::int64_t carry = limbs_[i] >> 32;  // floor division (arithmetic shift)
    limbs_[i] -= carry * (std::int64_t{1} << 32);
    limbs_[i + 1] += carry;
  }
  pending_ = 0;
}

double ExactSum::value() const {
  ExactSum n = *this;
  n.normalize();
  const bool negative = n.limbs_[kLimbs - 1] < 0;
  if (negative) {
    for (auto& l : n.limbs_) l = -l;
    n.normalize();
  }
  // The magnitude, from the most significant limb down.
  long double magnitude = 0;
  for (int i = kLimbs - 1; i >= 0; --i)
    if (n.limbs_[i] != 0) magnitude += std::ldexp(static_cast<long double>(n.limbs_[i]), 32 * i - 1074);
  const double finite = static_cast<double>(negative ? -magnitude : magnitude);
  return finite + non_finite_;
}

std::string ExactSum::text() const {
  ExactSum n = *this;
  n.normalize();
  std::string out;
  for (int i = 0; i < kLimbs; ++i) {
    if (n.limbs_[i] == 0) continue;
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{}{:x}", i, n.limbs_[i] < 0 ? "-" : "",
                       static_cast<std::uint64_t>(n.limbs_[i] < 0 ? -n.limbs_[i] : n.limbs_[i]));
  }
  if (non_finite_ != 0 || std::isnan(non_finite_)) out += fmt::format("|{}", non_finite_);
  return out;
}

bool ExactSum::parse(std::string_view text, ExactSum& out) {
  out = ExactSum{};
  const auto bar = text.find('|');
  if (bar != std::string_view::npos) {
    const auto special = text.substr(bar + 1);
    if (special == "inf") out.non_finite_ = INFINITY;
    else if (special == "-inf") out.non_finite_ = -INFINITY;
    else if (special == "nan") out.non_finite_ = NAN;
    else return false;
    text = text.substr(0, bar);
  }
  int previous = -1;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) return false;
    int index = 0;
    auto [ie, iec] = std::from_chars(item.data(), item.data() + colon, index);
    if (iec != std::errc() || ie != item.data() + colon || index <= previous || index >= kLimbs) return false;
    auto digits = item.substr(colon + 1);
    const bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.remove_prefix(1);
    std::uint64_t magnitude = 0;
    auto [de, dec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, 16);
    if (dec != std::errc() || de != digits.data() + digits.size() || digits.empty() || magnitude == 0) return false;
    const bool top = index == kLimbs - 1;
    if ((!top && (negative || magnitude >= (std::uint64_t{1} << 32))) || magnitude > INT64_MAX) return false;
    out.limbs_[index] = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
    previous = index;
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
    if (text.empty()) return false;
  }
  return true;
}

bool ExactSum::operator==(const ExactSum& other) const { return text() == other.text(); }

}  // namespace faultline

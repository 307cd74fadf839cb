#include "sim/checkers/linearizability_seen.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace faultline {

namespace {

// Combines, then finishes with MurmurHash3's 64-bit finalizer: the slot is
// taken from the low bits, and a multiply alone never carries a difference
// in high bits (operations far from c_low) down to them.
std::uint64_t hash_of(int c_low, std::span<const std::uint64_t> c_words, std::uint32_t state) {
  std::uint64_t h = (static_cast<std::uint64_t>(c_low) * 0x9e3779b97f4a7c15ULL ^ state) * 0xff51afd7ed558ccdULL;
  for (std::uint64_t w : c_words) h = (h ^ w) * 0xff51afd7ed558ccdULL + 0x9e3779b97f4a7c15ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

bool SeenConfigurations::insert(int c_low, std::span<const std::uint64_t> c_words, std::uint32_t state,
                                int p_first, std::span<const std::uint64_t> p_words, bool after_unanswered) {
  if (2 * (groups_.size() + 1) > slots_.size()) grow();
  const std::uint64_t hash = hash_of(c_low, c_words, state);
  std::size_t i = hash & (slots_.size() - 1);
  for (; slots_[i] >= 0; i = (i + 1) & (slots_.size() - 1)) {
    Group& g = groups_[static_cast<std::size_t>(slots_[i])];
    if (!same_group(g, hash, c_low, c_words, state)) continue;
    for (std::int32_t v = g.first_variant; v >= 0; v = variants_[static_cast<std::size_t>(v)].next)
      if (subsumes(variants_[static_cast<std::size_t>(v)], p_first, p_words, after_unanswered)) return false;
    add_variant(g, p_first, p_words, after_unanswered);
    return true;
  }
  if (groups_.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw std::length_error("linearizability search: more than 2^31 configurations");
  slots_[i] = static_cast<std::int32_t>(groups_.size());
  groups_.push_back({hash, words_.size(), static_cast<std::uint32_t>(c_words.size()), state, c_low, -1});
  words_.insert(words_.end(), c_words.begin(), c_words.end());
  add_variant(groups_.back(), p_first, p_words, after_unanswered);
  return true;
}

bool SeenConfigurations::same_group(const Group& g, std::uint64_t hash, int c_low,
                                    std::span<const std::uint64_t> c_words, std::uint32_t state) const {
  return g.hash == hash && g.c_low == c_low && g.state == state && g.c_n == c_words.size() &&
         std::equal(c_words.begin(), c_words.end(), words_.begin() + static_cast<std::ptrdiff_t>(g.c_at));
}

bool SeenConfigurations::subsumes(const Variant& v, int p_first, std::span<const std::uint64_t> p_words,
                                  bool after_unanswered) const {
  // An unrestricted configuration subsumes both; a restricted one only the restricted.
  if (v.after_unanswered && !after_unanswered) return false;
  // Every word of v's P must be covered by P (zero outside its words).
  for (std::uint32_t k = 0; k < v.p_n; ++k) {
    const std::uint64_t mine = words_[v.p_at + k];
    const long at = static_cast<long>(v.p_first) + k - p_first;
    const std::uint64_t theirs = at >= 0 && at < static_cast<long>(p_words.size()) ? p_words[static_cast<std::size_t>(at)] : 0;
    if (mine & ~theirs) return false;
  }
  return true;
}

void SeenConfigurations::add_variant(Group& g, int p_first, std::span<const std::uint64_t> p_words,
                                     bool after_unanswered) {
  variants_.push_back({words_.size(), g.first_variant, p_first, static_cast<std::uint32_t>(p_words.size()),
                       after_unanswered});
  g.first_variant = static_cast<std::int32_t>(variants_.size() - 1);
  words_.insert(words_.end(), p_words.begin(), p_words.end());
}

void SeenConfigurations::place(std::int32_t group) {
  std::size_t i = groups_[static_cast<std::size_t>(group)].hash & (slots_.size() - 1);
  while (slots_[i] >= 0) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = group;
}

void SeenConfigurations::clear() {
  groups_.clear();
  variants_.clear();
  words_.clear();
  std::fill(slots_.begin(), slots_.end(), -1);
}

void SeenConfigurations::grow() {
  slots_.assign(std::max<std::size_t>(64, slots_.size() * 2), -1);
  for (std::size_t g = 0; g < groups_.size(); ++g) place(static_cast<std::int32_t>(g));
}

}  // namespace faultline

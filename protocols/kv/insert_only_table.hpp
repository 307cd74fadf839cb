// A hash map from which nothing is ever removed, for a state machine's few
// short keys and its client sessions: the entries in a vector in the order
// they were added, and an index over them by open addressing (linear
// probing, a power-of-two count of slots, at most half of them used), each
// slot a 32-bit tag of the key's hash and the entry's position; a key's
// home slot is its hash's high bits (Fibonacci hashing). A lookup is
// one hash of the key and, nearly always, one slot and one key comparison
// (std::unordered_map<std::string, ...> took about 150 instructions a lookup
// for a key of a few bytes: std::hash's byte loop, a bucket's list).
//
// Invariant: every entry is in exactly one slot, reached by linear probing
// from its home slot without passing an empty one; a slot's tag is the low
// 32 bits of its entry's hash; the slots in use are at most half the slots,
// so every probe ends at an empty slot.
//
// entries() is in insertion order, which depends on the order requests came
// in: a caller sorts before anything of it reaches output (determinism: no
// container order reaches a byte anyone sees unless it is a sorted order).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocols/host/short_bytes.hpp"

namespace faultline::kv {

// A key's hash: its length and its bytes, 8 at a time and then the rest as
// one word, each folded in by a multiply and a shift; a last multiply
// spreads every bit into the high bits, a key's home slot (keys such as
// "k0" to "k255" differ in a byte or two: with one multiply fewer they
// probed 2.2 slots a lookup at half load, 1.4 with it).
inline std::uint64_t key_hash(std::string_view key) {
  constexpr std::uint64_t kMultiplier = 0xff51afd7ed558ccdULL;
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ key.size();
  const char* p = key.data();
  std::size_t n = key.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMultiplier;
    h ^= h >> 32;
  }
  h = (h ^ load_short_little_endian(p, n)) * kMultiplier;
  h ^= h >> 32;
  return h * 0x9e3779b97f4a7c15ULL;
}

// Whether a and b hold the same bytes, compared a word at a time (no call:
// keys are a few bytes long).
inline bool same_key(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  std::size_t n = a.size();
  for (; n >= 8; p += 8, q += 8, n -= 8) {
    std::uint64_t v, w;
    std::memcpy(&v, p, 8);
    std::memcpy(&w, q, 8);
    if (v != w) return false;
  }
  return load_short_little_endian(p, n) == load_short_little_endian(q, n);
}
inline bool same_key(std::uint64_t a, std::uint64_t b) { return a == b; }

// A number's hash (a client id): a multiply (Fibonacci hashing: the high
// bits are the home slot, and consecutive numbers land far apart).
inline std::uint64_t key_hash(std::uint64_t key) { return key * 0x9e3779b97f4a7c15ULL; }

// Key: std::string (looked up by std::string_view) or an unsigned number.
template <class Key, class Value>
class InsertOnlyTable {
 public:
  struct Entry {
    Key key;
    Value value;
  };
  using Lookup = std::conditional_t<std::is_same_v<Key, std::string>, std::string_view, Key>;

  // The value at `key`, added (value-initialised) when absent.
  Value& operator[](Lookup key) { return at_hashed(key, key_hash(key)); }
  // operator[] for a key whose key_hash() the caller has: `h` (a key
  // looked up on every replica hashed once).
  Value& at_hashed(Lookup key, std::uint64_t h) {
    if (!slots_.empty()) {
      const std::uint32_t tag = static_cast<std::uint32_t>(h);
      for (std::size_t s = h >> shift_;; s = (s + 1) & mask_) {
        const Slot slot = slots_[s];
        if (slot.position == 0) break;
        if (slot.tag == tag && same_key(entries_[slot.position - 1].key, key)) return entries_[slot.position - 1].value;
      }
    }
    return add(key, h);
  }
  // The value at `key`, or null.
  const Value* find(Lookup key) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = key_hash(key);
    const std::uint32_t tag = static_cast<std::uint32_t>(h);
    for (std::size_t s = h >> shift_;; s = (s + 1) & mask_) {
      const Slot slot = slots_[s];
      if (slot.position == 0) return nullptr;
      if (slot.tag == tag && same_key(entries_[slot.position - 1].key, key)) return &entries_[slot.position - 1].value;
    }
  }
  std::size_t size() const { return entries_.size(); }
  // In insertion order: sort before it reaches output (see the top).
  const std::vector<Entry>& entries() const { return entries_; }

  // The same keys with the same values, whatever the order they came in.
  bool operator==(const InsertOnlyTable& other) const {
    if (entries_.size() != other.entries_.size()) return false;
    for (const Entry& e : entries_) {
      const Value* theirs = other.find(e.key);
      if (!theirs || !(*theirs == e.value)) return false;
    }
    return true;
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;       // the low 32 bits of the entry's hash
    std::uint32_t position = 0;  // the entry's index in entries_ + 1; 0: empty
  };

  // Adds `key` (whose hash is h), absent, to the table (out of line: a
  // lookup that finds its key is the common case and stays small).
  [[gnu::noinline]] Value& add(Lookup key, std::uint64_t h) {
    if (room_ == 0) grow();
    entries_.push_back(Entry{Key(key), Value()});
    place(h, static_cast<std::uint32_t>(entries_.size()));
    --room_;
    return entries_.back().value;
  }
  // The entry at `position` (its index + 1), whose key's hash is h, into
  // the first empty slot from its home (the hash's high bits: Fibonacci
  // hashing, as the hash ends with a multiply).
  void place(std::uint64_t h, std::uint32_t position) {
    std::size_t s = h >> shift_;
    while (slots_[s].position != 0) s = (s + 1) & mask_;
    slots_[s] = Slot{static_cast<std::uint32_t>(h), position};
  }
  // Twice the slots (16 at first), every entry placed again.
  void grow() {
    const std::size_t count = slots_.empty() ? 16 : 2 * slots_.size();
    slots_.assign(count, Slot{});
    mask_ = count - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(count));
    room_ = count / 2 - entries_.size();
    for (std::uint32_t k = 0; k < entries_.size(); ++k) place(key_hash(Lookup(entries_[k].key)), k + 1);
  }

  std::vector<Entry> entries_;
  std::vector<Slot> slots_;  // empty, or a power of two of them, at most half in use
  std::size_t mask_ = 0;     // slots_.size() - 1
  unsigned shift_ = 63;      // 64 - log2(slots_.size()): a hash's high bits are its home slot
  std::size_t room_ = 0;     // entries that can be added before the slots double
};

}  // namespace faultline::kv

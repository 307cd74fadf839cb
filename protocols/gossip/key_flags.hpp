// KeyFlags: one flag per key, kept in a byte (see the class comment).
#pragma once

#include <cstddef>
#include <cstdint>

namespace faultline::gossip {

// Per-key flags in one byte, indexed like an array of bools (flags[k] = 1,
// if (flags[k]), for (bool f : flags)): a node's infective flags, where four
// bools took four bytes of a record a million-node run keeps per node.
template <std::size_t Keys>
class KeyFlags {
 public:
  class Ref {
   public:
    Ref(std::uint8_t& bits, std::size_t k) : bits_(bits), mask_(static_cast<std::uint8_t>(1u << k)) {}
    Ref& operator=(int on) {
      bits_ = static_cast<std::uint8_t>(on != 0 ? bits_ | mask_ : bits_ & ~mask_);
      return *this;
    }
    operator bool() const { return (bits_ & mask_) != 0; }

   private:
    std::uint8_t& bits_;
    std::uint8_t mask_;
  };
  class Iterator {
   public:
    Iterator(std::uint8_t bits, std::size_t k) : bits_(bits), k_(k) {}
    bool operator*() const { return (bits_ >> k_ & 1u) != 0; }
    Iterator& operator++() {
      ++k_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return k_ != o.k_; }

   private:
    std::uint8_t bits_;
    std::size_t k_;
  };
  static_assert(Keys < 8, "one bit per key in a byte, and the last bit for extra()");
  static constexpr std::uint8_t kExtra = 0x80;
  Ref operator[](std::size_t k) { return Ref(bits_, k); }
  bool operator[](std::size_t k) const { return (bits_ >> k & 1u) != 0; }
  Iterator begin() const { return Iterator(bits_, 0); }
  Iterator end() const { return Iterator(bits_, Keys); }

  // One more flag, not a key's, in the byte's last bit (free while Keys < 8):
  // the per-key flags above neither read nor write it.
  bool extra() const { return (bits_ & kExtra) != 0; }
  void set_extra(bool on) { bits_ = static_cast<std::uint8_t>(on ? bits_ | kExtra : bits_ & ~kExtra); }

 private:
  std::uint8_t bits_ = 0;
};

}  // namespace faultline::gossip

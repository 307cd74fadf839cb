// A counted reference to an immutable log command, for one simulation's
// thread only.
//
// A Raft entry's command is made once, when the leader appends it, and then
// shared by every copy of the entry: the AppendEntries that carry it to each
// follower, the followers' logs, a resend. std::shared_ptr counts those
// copies with atomic instructions as soon as the process has a second thread
// (a sweep always has), and an entry is copied and dropped about a dozen
// times per client request. A simulation, with every entry it makes, lives on
// one thread (sans-IO: protocols/ never shares state across threads), so a
// plain count is enough: it gives the same sharing without the locked
// instructions.
//
// Invariant: count_ of a Counted equals the number of CommandRefs pointing at
// it; the last one to go deletes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace faultline::raft {

template <class T>
class CommandRef {
 public:
  CommandRef() = default;
  // Makes a new T, held by this reference alone.
  template <class... Args>
  static CommandRef make(Args&&... args) {
    CommandRef r;
    r.counted_ = new Counted{T{std::forward<Args>(args)...}, 1};
    return r;
  }
  CommandRef(const CommandRef& other) : counted_(other.counted_) {
    if (counted_) ++counted_->count;
  }
  CommandRef(CommandRef&& other) noexcept : counted_(std::exchange(other.counted_, nullptr)) {}
  CommandRef& operator=(const CommandRef& other) {
    CommandRef copy(other);
    std::swap(counted_, copy.counted_);
    return *this;
  }
  CommandRef& operator=(CommandRef&& other) noexcept {
    CommandRef taken(std::move(other));
    std::swap(counted_, taken.counted_);
    return *this;
  }
  ~CommandRef() {
    if (counted_ && --counted_->count == 0) delete counted_;
  }

  const T* get() const { return counted_ ? &counted_->value : nullptr; }
  const T& operator*() const { return counted_->value; }
  const T* operator->() const { return &counted_->value; }
  explicit operator bool() const { return counted_ != nullptr; }
  // How many references share the command (0 for an empty reference).
  std::uint32_t use_count() const { return counted_ ? counted_->count : 0; }
  // The address and size of the shared block (the command and its count),
  // for a caller that asks the processor to fetch it ahead (null: empty).
  const void* block() const { return counted_; }
  static constexpr std::size_t block_bytes() { return sizeof(Counted); }

 private:
  struct Counted {
    const T value;
    std::uint32_t count;
  };
  Counted* counted_ = nullptr;
};

}  // namespace faultline::raft

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
// it; the last one to go destroys it.
//
// Its memory comes from a per-thread list of freed blocks (FreeBlocks)
// before the allocator: a sweep seed makes about 1,100 commands and frees
// them all at its end, and the next seed on that thread takes the same
// blocks back, instead of malloc's bins (1.9% of a Raft sweep seed's
// instructions, docs/performance.md). Under AddressSanitizer every block
// goes back to the allocator, so a use after the last reference is still
// caught.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "protocols/host/address_sanitizer.hpp"

namespace faultline::raft {

template <class T>
class CommandRef {
 public:
  CommandRef() = default;
  // Makes a new T, held by this reference alone.
  template <class... Args>
  static CommandRef make(Args&&... args) {
    CommandRef r;
    void* const block = free_blocks().take();
    try {
      r.counted_ = ::new (block) Counted{T{std::forward<Args>(args)...}, 1};
    } catch (...) {
      free_blocks().give(block);
      throw;
    }
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
    if (counted_ && --counted_->count == 0) {
      counted_->~Counted();
      free_blocks().give(counted_);
    }
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
  // Freed blocks this thread keeps for the next make(), and at most how many.
  static std::size_t blocks_kept() { return free_blocks().kept(); }
  static constexpr std::size_t kMaxBlocksKept = kUnderAddressSanitizer ? 0 : 8192;  // 2.5 MB of Raft commands

 private:
  struct Counted {
    const T value;
    std::uint32_t count;
  };
  // Freed blocks of sizeof(Counted) bytes, linked through their first
  // bytes, most recently freed first (likeliest in cache); at most
  // kMaxBlocksKept of them, the rest go back to the allocator, as all do
  // when the thread ends.
  class FreeBlocks {
   public:
    FreeBlocks() = default;
    FreeBlocks(const FreeBlocks&) = delete;
    FreeBlocks& operator=(const FreeBlocks&) = delete;
    ~FreeBlocks() {
      while (head_ != nullptr) ::operator delete(std::exchange(head_, head_->next));
      kept_ = kMaxBlocksKept;  // a command outliving the thread's list goes straight back to the allocator
    }
    void* take() {
      if (head_ == nullptr) return ::operator new(kBlockBytes);
      --kept_;
      return std::exchange(head_, head_->next);
    }
    void give(void* block) {
      if (kept_ == kMaxBlocksKept) {
        ::operator delete(block);
        return;
      }
      head_ = ::new (block) Link{head_};
      ++kept_;
    }
    std::size_t kept() const { return kept_; }

   private:
    struct Link {
      Link* next;
    };
    // A block holds a Counted or, once freed, a Link (::operator new aligns it for either).
    static constexpr std::size_t kBlockBytes = sizeof(Counted) > sizeof(Link) ? sizeof(Counted) : sizeof(Link);
    Link* head_ = nullptr;
    std::size_t kept_ = 0;
  };
  static FreeBlocks& free_blocks() {
    static thread_local FreeBlocks blocks;
    return blocks;
  }

  Counted* counted_ = nullptr;
};

}  // namespace faultline::raft

// The in-flight messages that fit in 64 bits (a protocol's P::pack: a gossip
// push of one key), each in a 24-byte slot from its send until its delivery
// or drop: the message, and its route (sender, send time, cut version, id).
//
// Free slots hold the free list themselves, in blocks: the head block is a
// free slot whose six 32-bit words are the next block's index and up to
// kPerBlock free slots' indices; every block behind the head is full.
// Allocation takes an index from the head block, whose line it keeps
// reading (cached), and the head block's own slot when it is empty; a
// release puts the index in the head block, or makes the released slot
// (just read by its delivery: cached) the new head when that one is full.
// So an allocation knows its next slot and the next block without reading
// a cold line, and asks for both ahead. The list it replaced ran through the
// slots one at a time: each allocation read the slot it took to find the
// next, a dependent load that missed the cache on a big run and stalled
// every send (a fifth of send's time at 100,000 gossip nodes, perf, 3 Dec
// 2026). A vector of free indices beside the slots cost 4 bytes for every
// slot ever made (3.7 MB at a million nodes).
//
// Slots are reused last freed first, exactly as a stack of free indices
// would hand them out (entries pop in reverse, and a head block made by a
// release is the last freed): the lines likeliest cached, and the same
// slots as the list before. Which slot a message takes never reaches a
// run's output anyway: slot indices ride only in delivery events, which the
// queue orders by time and push order. Nothing here depends on an address.
//
// Invariant: every slot of [0, size) is either in use or free, and the free
// ones are exactly the head block, the indices in its first head_count_
// entries, and, block by block through the links, each later block and its
// kPerBlock entries, each once; free_count_ counts them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "protocols/host/time.hpp"
#include "sim/engine/cache_line_allocator.hpp"
#include "sim/engine/huge_pages.hpp"

namespace faultline {

class PackedMessagePool {
 public:
  // The send time in 48 bits, the cut version in 16 and the message id in
  // 32: a message whose figures do not fit (fits() false: a run past 78
  // hours, 65,536 partition changes or 2^32 messages) waits in the full
  // pool instead, with the same effect.
  struct Slot {
    std::uint64_t message;          // the packed message (P::pack)
    std::uint64_t sent_at_and_cut;  // send time << 16 | cut version
    NodeId from;
    std::uint32_t id;               // message id

    static constexpr bool fits(Time sent_at, std::uint32_t cut_version, std::uint64_t id) {
      return sent_at >= 0 && sent_at < (Time{1} << 48) && cut_version <= 0xFFFF && id <= UINT32_MAX;
    }
    // Precondition: fits(sent_at, cut_version, id).
    static Slot make(std::uint64_t message, NodeId from, std::uint32_t cut_version, Time sent_at, std::uint64_t id) {
      return Slot{message, static_cast<std::uint64_t>(sent_at) << 16 | cut_version, from,
                  static_cast<std::uint32_t>(id)};
    }
    Time sent_at() const { return static_cast<Time>(sent_at_and_cut >> 16); }
    std::uint32_t cut_version() const { return static_cast<std::uint32_t>(sent_at_and_cut & 0xFFFF); }
  };
  static_assert(sizeof(Slot) == 24);
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  static constexpr std::uint32_t kMaxSlots = std::uint32_t{1} << 31;

  // Room for n slots up front, on huge pages (growing copies the slots:
  // twice the memory for a moment).
  void reserve(std::size_t n) {
    slots_.reserve(n);
    advise_huge_pages(slots_.data(), slots_.capacity() * sizeof(Slot));
  }

  // A slot for a message (a free one if any, else a new one), written with
  // `slot`'s fields; returns its index.
  [[gnu::always_inline]] std::uint32_t allocate(const Slot& slot) {
    if (free_count_ == 0) [[unlikely]] return append(slot);
    --free_count_;
    std::uint32_t i;
    if (head_count_ != 0) {
      i = word(head_, head_count_);  // entries are words 1..kPerBlock
      --head_count_;
      // The next allocation's slot, to be written, and the next block, to
      // be read once this one is used up: both known here, from this line
      // (with no entry left, the next slot is this block's own: cached).
      if (head_count_ != 0) __builtin_prefetch(&slots_[word(head_, head_count_)], 1);
      const std::uint32_t next = word(head_, 0);
      if (next != kNoSlot) __builtin_prefetch(&slots_[next]);
    } else {
      i = head_;  // an empty head block is itself the last free slot of its block
      head_ = word(i, 0);
      head_count_ = head_ == kNoSlot ? 0 : kPerBlock;
    }
    // Field by field: a whole-struct copy made GCC build the slot on the
    // stack and read it back 16 bytes at a time over two 8-byte stores, a
    // load that cannot be forwarded from them and stalled every send.
    Slot& to = slots_[i];
    to.message = slot.message;
    to.sent_at_and_cut = slot.sent_at_and_cut;
    to.from = slot.from;
    to.id = slot.id;
    return i;
  }

  // Frees slot i (in use).
  [[gnu::always_inline]] void release(std::uint32_t i) {
    ++free_count_;
    if (head_ != kNoSlot && head_count_ < kPerBlock) {
      ++head_count_;
      set_word(head_, head_count_, i);
      return;
    }
    set_word(i, 0, head_);  // i becomes the head block, empty, before the full one
    head_ = i;
    head_count_ = 0;
  }

  // Slot i: in use, a message's; free, the list's words.
  [[gnu::always_inline]] Slot& operator[](std::uint32_t i) { return slots_[i]; }
  [[gnu::always_inline]] const Slot& operator[](std::uint32_t i) const { return slots_[i]; }

  std::size_t in_use() const { return slots_.size() - free_count_; }
  // Slots ever made (in use or free), for tests.
  std::size_t made() const { return slots_.size(); }

 private:
  static constexpr std::uint32_t kPerBlock = sizeof(Slot) / 4 - 1;  // 5 entries after the link

  // Word k (0 .. kPerBlock) of free slot i.
  std::uint32_t word(std::uint32_t i, std::uint32_t k) const {
    std::uint32_t w;
    std::memcpy(&w, reinterpret_cast<const unsigned char*>(&slots_[i]) + 4 * k, 4);
    return w;
  }
  void set_word(std::uint32_t i, std::uint32_t k, std::uint32_t w) {
    std::memcpy(reinterpret_cast<unsigned char*>(&slots_[i]) + 4 * k, &w, 4);
  }

  // A new slot at the end (out of line: rare once the pool has grown).
  [[gnu::noinline]] std::uint32_t append(const Slot& slot) {
    if (slots_.size() >= kMaxSlots) throw std::length_error("more than 2^31 messages in flight");
    slots_.push_back(slot);
    return static_cast<std::uint32_t>(slots_.size() - 1);
  }

  std::vector<Slot, CacheLineAllocator<Slot>> slots_;  // from a cache line on, like the node records
  std::uint32_t head_ = kNoSlot;   // the head block, or none when no slot is free
  std::uint32_t head_count_ = 0;   // entries in the head block (the later blocks hold kPerBlock)
  std::size_t free_count_ = 0;
};

}  // namespace faultline

// The in-flight messages of a run: each waits in a slot of this pool from
// its send until its delivery or drop, and is handed to its receiver where
// it lies.
//
// A slot never moves once made (segments that double, never a reallocation),
// so a delivery can hand the receiver a reference into its slot while the
// receiver's own sends fill other slots (and make new ones); the message is
// destroyed in place after the handler returns. Before, a delivery moved the
// message out into a local and the send moved it into a slot by assignment:
// for Raft's std::variant of messages that was a move-assignment, a
// move-construction and an extra destruction per message, each through the
// variant's table of functions (docs/performance.md, issue 15, helper h2).
//
// Invariant: the slots in use are those of [0, made_) not in free_, each
// once; a slot in use holds a live message, a free slot none. Slots are
// reused last freed first (its lines are the likeliest cached).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "protocols/host/time.hpp"
#include "sim/engine/huge_pages.hpp"

namespace faultline {

// Moving a message into raw storage and destroying it there. For a
// std::variant, a switch on the index with each alternative's own move or
// destructor inline: GCC 12 compiles the variant's own move and reset to an
// indirect call through a table of functions (about 20 instructions of frame
// and jump each, several per Raft message). For any other type, the type's
// own move constructor and destructor.
template <class T>
struct MessageOps {
  static void move_into(void* to, T&& from) { ::new (to) T(std::move(from)); }
  static void destroy(T& m) { std::destroy_at(&m); }
};

template <class... Ts>
struct MessageOps<std::variant<Ts...>> {
  using Variant = std::variant<Ts...>;
  static void move_into(void* to, Variant&& from) {
    const std::size_t i = from.index();
    if (i == std::variant_npos) [[unlikely]] {  // valueless by an exception: as the variant itself would
      ::new (to) Variant(std::move(from));
      return;
    }
    on_index(i, [&]<std::size_t I>() {
      ::new (to) Variant(std::in_place_index<I>, std::move(*std::get_if<I>(&from)));
    });
  }
  // Ends the message's life: destroys the alternative it holds (nothing
  // for a trivially destructible one). The variant's own destructor is not
  // run; its storage is only ever reused by move_into, which is allowed
  // ([basic.life]: no side effect of that destructor is left to depend on).
  static void destroy(Variant& m) {
    const std::size_t i = m.index();
    if (i == std::variant_npos) [[unlikely]] return;
    on_index(i, [&]<std::size_t I>() {
      using Alternative = std::variant_alternative_t<I, Variant>;
      if constexpr (!std::is_trivially_destructible_v<Alternative>) std::destroy_at(std::get_if<I>(&m));
    });
  }

 private:
  // Calls f.template operator()<I>() for I == i (i < sizeof...(Ts)).
  template <class F>
  [[gnu::always_inline]] static void on_index(std::size_t i, F&& f) {
    on_index(i, f, std::index_sequence_for<Ts...>{});
  }
  template <class F, std::size_t... Is>
  [[gnu::always_inline]] static void on_index(std::size_t i, F& f, std::index_sequence<Is...>) {
    (void)((i == Is ? (f.template operator()<Is>(), true) : false) || ...);
  }
};

template <class Message>
class MessagePool {
 public:
  // A message in flight and its route. Its receiver rides in the delivery
  // event (EventCode::delivery), not here.
  struct Slot {
    alignas(Message) unsigned char body[sizeof(Message)];  // a live Message while the slot is in use
    NodeId from;
    std::uint32_t cut_version;  // Connectivity::version() at send time
    Time sent_at;               // a receiver that crashed after this never gets it
    std::uint64_t id;           // message id, shared by duplicates
    Message& message() { return *std::launder(reinterpret_cast<Message*>(body)); }
    const Message& message() const { return *std::launder(reinterpret_cast<const Message*>(body)); }
  };
  static constexpr std::uint32_t kMaxSlots = std::uint32_t{1} << 31;

  MessagePool() = default;
  MessagePool(const MessagePool&) = delete;
  MessagePool& operator=(const MessagePool&) = delete;
  ~MessagePool() {
    if (made_ == 0) return;
    // The messages still in flight when the run ends.
    std::vector<bool> is_free(made_);
    for (std::uint32_t i : free_) is_free[i] = true;
    for (std::uint32_t i = 0; i < made_; ++i)
      if (!is_free[i]) MessageOps<Message>::destroy(at(i).message());
    for (std::size_t s = 0; s < segments_.size() && segments_[s] != nullptr; ++s)
      ::operator delete(segments_[s], std::align_val_t{64});
  }

  // The first segment holds at least n slots (a power of two, at least
  // kMinFirst): the room a run expects to need, so a later segment (and
  // its lookup's extra arithmetic) is rare. Before the first allocation only.
  void reserve(std::size_t n) {
    if (made_ != 0) throw std::logic_error("MessagePool::reserve after the first allocation");
    n = std::max<std::size_t>(n, kMinFirst);
    if (n > kMaxSlots) n = kMaxSlots;
    first_log_ = static_cast<std::uint32_t>(std::bit_width(std::bit_ceil(n)) - 1);
    first_slots_ = std::uint32_t{1} << first_log_;
  }

  // Moves `message` into a slot (a reused one if any) and returns its index.
  [[gnu::always_inline]] std::uint32_t allocate(Message&& message, NodeId from, std::uint32_t cut_version,
                                                Time sent_at, std::uint64_t id) {
    std::uint32_t i;
    if (!free_.empty()) [[likely]] {
      i = free_.back();
      free_.pop_back();
    } else {
      i = make_slot();
    }
    Slot& s = at(i);
    MessageOps<Message>::move_into(s.body, std::move(message));
    s.from = from;
    s.cut_version = cut_version;
    s.sent_at = sent_at;
    s.id = id;
    return i;
  }
  // Destroys slot i's message and frees the slot (`slot` is at(i)).
  [[gnu::always_inline]] void release(std::uint32_t i, Slot& slot) {
    MessageOps<Message>::destroy(slot.message());
    free_.push_back(i);
  }
  void release(std::uint32_t i) { release(i, at(i)); }

  // Slot i (in use or free); its address holds until the pool is destroyed.
  [[gnu::always_inline]] Slot& at(std::uint32_t i) {
    if (i < first_slots_) [[likely]] return segments_[0][i];
    return at_later_segment(i);
  }
  const Slot& at(std::uint32_t i) const { return const_cast<MessagePool*>(this)->at(i); }

  std::size_t in_use() const { return made_ - free_.size(); }
  // Slots ever made (in use or free), for tests.
  std::size_t made() const { return made_; }

 private:
  static constexpr std::size_t kMinFirst = 256;
  // Segment s >= 1 holds 2^(first_log_ + s - 1) slots and starts at
  // 2^(first_log_ + s - 1): the first 2^first_log_ slots are segment 0,
  // each next segment as large as all before it.
  Slot& at_later_segment(std::uint32_t i) {
    const auto s = static_cast<std::uint32_t>(std::bit_width(i >> first_log_));  // >= 1
    return segments_[s][i - (std::uint32_t{1} << (first_log_ + s - 1))];
  }
  std::size_t segment_slots(std::size_t s) const {
    return std::size_t{1} << (s == 0 ? first_log_ : first_log_ + s - 1);
  }
  // A slot never used: the next index, in a new segment when the last is full.
  [[gnu::noinline]] std::uint32_t make_slot() {
    if (made_ >= kMaxSlots) throw std::length_error("more than 2^31 messages in flight");
    const std::uint32_t i = made_;
    const std::size_t s = i < first_slots_ ? 0 : std::bit_width(i >> first_log_);
    if (segments_[s] == nullptr) {
      const std::size_t bytes = segment_slots(s) * sizeof(Slot);
      segments_[s] = static_cast<Slot*>(::operator new(bytes, std::align_val_t{64}));  // from a cache line on
      advise_huge_pages(segments_[s], bytes);  // big ones only, before their pages are touched
    }
    ++made_;
    return i;
  }

  std::uint32_t first_log_ = 8;  // log2 of kMinFirst until reserve
  std::uint32_t first_slots_ = 256;  // 2^first_log_
  std::uint32_t made_ = 0;
  std::array<Slot*, 33> segments_{};  // segment s, or null until its first slot is made
  std::vector<std::uint32_t> free_;
};

}  // namespace faultline

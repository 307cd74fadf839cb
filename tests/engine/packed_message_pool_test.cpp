// The packed in-flight pool: the free list kept in blocks inside the free
// slots hands slots out exactly as a stack of free indices would (last freed
// first, a new slot only when none is free), and writing the list into free
// slots never touches a slot in use. Checked against a vector as the stack
// and a map of the messages in flight, over random sends and deliveries.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/engine/packed_message_pool.hpp"

using namespace faultline;

namespace {

using Slot = PackedMessagePool::Slot;

Slot slot_for(std::uint64_t k) {
  return Slot{k * 0x9E3779B97F4A7C15ull, k << 16 | (k & 0xFFFF), static_cast<NodeId>(k * 7), static_cast<std::uint32_t>(k)};
}

void check_holds(const PackedMessagePool& pool, std::uint32_t i, std::uint64_t k) {
  const Slot want = slot_for(k);
  const Slot& got = pool[i];
  CHECK(got.message == want.message);
  CHECK(got.sent_at_and_cut == want.sent_at_and_cut);
  CHECK(got.from == want.from);
  CHECK(got.id == want.id);
}

}  // namespace

TEST_CASE("packed message pool: slots reused last freed first and messages in flight untouched") {
  // Bursts of sends and of deliveries, so the free list grows past many
  // blocks and empties again (a gossip round's rise and fall).
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    PackedMessagePool pool;
    pool.reserve(64);
    Rng rng(seed);
    std::vector<std::uint32_t> free_stack;          // the oracle: free indices, last freed on top
    std::map<std::uint32_t, std::uint64_t> in_flight;  // slot -> the k it was written with
    std::vector<std::uint32_t> in_use;               // the same slots, to pick one at random
    std::uint32_t made = 0;
    std::uint64_t k = 0;
    for (int burst = 0; burst < 400; ++burst) {
      const bool sending = in_use.empty() || rng.below(2) == 0;
      const auto count = 1 + rng.below(40);
      for (std::uint64_t c = 0; c < count; ++c) {
        if (sending) {
          std::uint32_t expected;
          if (free_stack.empty()) {
            expected = made++;
          } else {
            expected = free_stack.back();
            free_stack.pop_back();
          }
          const std::uint32_t i = pool.allocate(slot_for(++k));
          REQUIRE(i == expected);
          in_flight[i] = k;
          in_use.push_back(i);
        } else if (!in_use.empty()) {
          const auto at = rng.below(in_use.size());
          const std::uint32_t i = in_use[at];
          in_use[at] = in_use.back();
          in_use.pop_back();
          check_holds(pool, i, in_flight.at(i));
          in_flight.erase(i);
          pool.release(i);
          free_stack.push_back(i);
        }
      }
      REQUIRE(pool.in_use() == in_flight.size());
      REQUIRE(pool.made() == made);
      // Every message still in flight reads as written, whatever the free
      // slots around it now hold.
      for (const auto& [i, written] : in_flight) check_holds(pool, i, written);
    }
    CHECK(made < 4000);  // slots were reused, not made anew (400 bursts of up to 40)
  }
}

TEST_CASE("packed message pool: a pool emptied and filled again makes no new slot") {
  PackedMessagePool pool;
  std::vector<std::uint32_t> slots;
  for (std::uint64_t k = 0; k < 1000; ++k) slots.push_back(pool.allocate(slot_for(k)));
  for (std::uint32_t i : slots) pool.release(i);
  CHECK(pool.in_use() == 0);
  // Refilled in the reverse order of the frees.
  for (std::size_t n = 0; n < slots.size(); ++n) {
    const std::uint32_t i = pool.allocate(slot_for(5000 + n));
    CHECK(i == slots[slots.size() - 1 - n]);
  }
  CHECK(pool.made() == 1000);
  CHECK(pool.in_use() == 1000);
  for (std::size_t n = 0; n < slots.size(); ++n) check_holds(pool, slots[slots.size() - 1 - n], 5000 + n);
}

TEST_CASE("packed message pool: a slot gives back the send time and cut version it was made with up to its limits") {
  const Time last_time = (Time{1} << 48) - 1;
  const Slot s = Slot::make(42, 7, 0xFFFF, last_time, UINT32_MAX);
  CHECK(s.message == 42);
  CHECK(s.from == 7);
  CHECK(s.sent_at() == last_time);
  CHECK(s.cut_version() == 0xFFFF);
  CHECK(s.id == UINT32_MAX);
  const Slot zero = Slot::make(0, 0, 0, 0, 0);
  CHECK(zero.sent_at() == 0);
  CHECK(zero.cut_version() == 0);
  CHECK(Slot::fits(last_time, 0xFFFF, UINT32_MAX));
  CHECK_FALSE(Slot::fits(last_time + 1, 0, 0));  // a run past 78 hours
  CHECK_FALSE(Slot::fits(-1, 0, 0));
  CHECK_FALSE(Slot::fits(0, 0x10000, 0));  // 65,536 partition changes
  CHECK_FALSE(Slot::fits(0, 0, std::uint64_t{UINT32_MAX} + 1));  // 2^32 messages
}

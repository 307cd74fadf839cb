// The in-flight message pool: slots that never move (a delivery hands its
// receiver the message where it lies while the receiver's sends make new
// slots), every message destroyed exactly once, and a variant moved and
// destroyed in place by its alternative, checked against a map as oracle.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "protocols/host/rng.hpp"
#include "sim/engine/message_pool.hpp"

using namespace faultline;

namespace {

// Counts the objects alive, to catch a leak or a second destruction.
struct Counted {
  static inline int alive = 0;
  static inline int destroyed_twice = 0;
  int value = 0;
  bool live = true;
  explicit Counted(int v) : value(v) { ++alive; }
  Counted(Counted&& other) noexcept : value(other.value) { ++alive; }
  Counted(const Counted& other) : value(other.value) { ++alive; }
  ~Counted() {
    if (!live) ++destroyed_twice;
    live = false;
    --alive;
  }
  friend bool operator==(const Counted& a, const Counted& b) { return a.value == b.value; }
};

using Message = std::variant<int, std::string, Counted, std::vector<int>>;

Message make_message(std::uint64_t k) {
  switch (k % 4) {
    case 0: return static_cast<int>(k);
    case 1: return std::string(k % 40, static_cast<char>('a' + k % 26));  // short (in place) and long strings
    case 2: return Counted(static_cast<int>(k));
    default: return std::vector<int>(k % 7, static_cast<int>(k));
  }
}

}  // namespace

TEST_CASE("message pool: slots keep their address and their message while later sends make new slots") {
  Counted::alive = 0;
  Counted::destroyed_twice = 0;
  {
    MessagePool<Message> pool;
    pool.reserve(4);  // the first segment: 256 slots; the rest grow from there
    std::vector<std::uint32_t> slots;
    std::vector<const Message*> where;
    for (std::uint64_t k = 0; k < 5000; ++k) {
      slots.push_back(pool.allocate(make_message(k), static_cast<NodeId>(k), 0, static_cast<Time>(k), k));
      where.push_back(&pool.at(slots.back()).message());
    }
    CHECK(pool.in_use() == 5000);
    for (std::uint64_t k = 0; k < 5000; ++k) {
      const auto& slot = pool.at(slots[k]);
      REQUIRE(&slot.message() == where[k]);
      REQUIRE(slot.message() == make_message(k));
      REQUIRE(slot.from == static_cast<NodeId>(k));
      REQUIRE(slot.id == k);
    }
    CHECK(Counted::alive == 1250);
  }
  // The 5,000 messages still in flight died with the pool, each once.
  CHECK(Counted::alive == 0);
  CHECK(Counted::destroyed_twice == 0);
}

TEST_CASE("message pool: random sends and deliveries against a map") {
  Counted::alive = 0;
  Counted::destroyed_twice = 0;
  {
    MessagePool<Message> pool;
    std::map<std::uint32_t, std::uint64_t> in_flight;  // slot -> the k its message was made from
    Rng rng(7);
    std::uint64_t k = 0;
    for (int step = 0; step < 40000; ++step) {
      // Waves: the pool grows past its first segment and shrinks again.
      const bool grow = (step / 5000) % 2 == 0;
      if (in_flight.empty() || rng.below(10) < (grow ? 7u : 3u)) {
        const std::uint32_t slot = pool.allocate(make_message(k), 1, 2, 3, k);
        REQUIRE(in_flight.count(slot) == 0);  // a slot in use is never handed out again
        in_flight[slot] = k++;
      } else {
        auto it = in_flight.begin();
        std::advance(it, static_cast<long>(rng.below(in_flight.size())));
        REQUIRE(pool.at(it->first).message() == make_message(it->second));
        pool.release(it->first);
        in_flight.erase(it);
      }
      REQUIRE(pool.in_use() == in_flight.size());
    }
    int counted = 0;
    for (const auto& [slot, made_from] : in_flight) {
      REQUIRE(pool.at(slot).message() == make_message(made_from));
      if (made_from % 4 == 2) ++counted;
    }
    CHECK(Counted::alive == counted);
    CHECK(pool.made() > 256);
  }
  CHECK(Counted::alive == 0);
  CHECK(Counted::destroyed_twice == 0);
}

TEST_CASE("message pool: a message handed out by reference survives the handler's sends") {
  // As Simulation::on_deliver does: the receiver reads the message in its
  // slot while it sends, and the slot is freed after.
  MessagePool<Message> pool;
  const std::uint32_t delivering = pool.allocate(std::string(100, 'x'), 0, 0, 0, 0);
  const Message& m = pool.at(delivering).message();
  for (std::uint64_t k = 1; k < 3000; ++k) pool.allocate(make_message(k), 0, 0, 0, k);
  CHECK(std::get<std::string>(m) == std::string(100, 'x'));
  pool.release(delivering);
  CHECK(pool.in_use() == 2999);
  // The freed slot is the next one handed out.
  CHECK(pool.allocate(1, 0, 0, 0, 0) == delivering);
}

TEST_CASE("MessageOps moves each alternative into place and destroys it once") {
  Counted::alive = 0;
  Counted::destroyed_twice = 0;
  for (std::uint64_t k = 0; k < 8; ++k) {
    Message from = make_message(k + 30);
    alignas(Message) unsigned char body[sizeof(Message)];
    MessageOps<Message>::move_into(body, std::move(from));
    Message& moved = *std::launder(reinterpret_cast<Message*>(body));
    CHECK(moved.index() == (k + 30) % 4);
    CHECK(moved == make_message(k + 30));
    MessageOps<Message>::destroy(moved);
  }
  CHECK(Counted::alive == 0);
  CHECK(Counted::destroyed_twice == 0);
}

// CommandRef, the count that lets copies of a Raft entry share its command
// without atomics: every copy shares the one command, and the last reference
// to go frees it (exactly once).
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "protocols/raft/command_ref.hpp"
#include "protocols/raft/raft_log.hpp"
#include "sim/node/memory_store.hpp"

using namespace faultline::raft;

namespace {

// Counts how many are alive, to see when the shared one is freed.
struct Tracked {
  static inline int alive = 0;
  int value = 0;
  explicit Tracked(int v) : value(v) { ++alive; }
  Tracked(const Tracked& o) : value(o.value) { ++alive; }
  ~Tracked() { --alive; }
};

}  // namespace

TEST_CASE("command ref: copies share one command and the last one frees it") {
  Tracked::alive = 0;
  {
    auto a = CommandRef<Tracked>::make(7);
    CHECK(Tracked::alive == 1);
    CHECK(a.use_count() == 1);
    std::vector<CommandRef<Tracked>> copies(5, a);  // as AppendEntries to five followers
    CHECK(a.use_count() == 6);
    CHECK(copies[3].get() == a.get());  // shared, not copied
    CHECK(copies[3]->value == 7);
    CommandRef<Tracked> moved = std::move(copies[0]);
    CHECK(!copies[0]);
    CHECK(a.use_count() == 6);  // a move neither adds nor drops a reference
    copies[1] = copies[2];      // assigning a reference to the same command
    CHECK(a.use_count() == 6);
    copies[2] = CommandRef<Tracked>();
    CHECK(a.use_count() == 5);
    copies.clear();
    CHECK(a.use_count() == 2);
    a = moved;  // self-sharing assignment keeps it alive
    CHECK(a.use_count() == 2);
    moved = CommandRef<Tracked>::make(8);
    CHECK(Tracked::alive == 2);
    CHECK(a.use_count() == 1);
  }
  CHECK(Tracked::alive == 0);  // both freed, once each
}

TEST_CASE("command ref: a log and the slices sent from it share each entry's command") {
  faultline::MemoryStore store;
  RaftLog log;
  faultline::kv::Request r;
  r.client = 2;
  r.sequence = 1;
  r.kind = faultline::kv::OpKind::kPut;
  r.key = "k0";
  r.value = "2.1";
  log.append(store, Entry(1, false, r));
  {
    const auto to_followers = std::vector<EntryList>{log.slice(1, 64), log.slice(1, 64)};
    CHECK(log.at(1).shared.use_count() == 3);
    CHECK(to_followers[1][0].shared.get() == log.at(1).shared.get());
  }
  CHECK(log.at(1).shared.use_count() == 1);
  CHECK(log.at(1).command().value == "2.1");
}

TEST_CASE("command ref: a freed command's block is the next one made on its thread") {
  if (CommandRef<Tracked>::kMaxBlocksKept == 0) return;  // AddressSanitizer: every block goes back to malloc
  Tracked::alive = 0;
  const void* first = nullptr;
  {
    auto a = CommandRef<Tracked>::make(1);
    first = a.block();
  }
  CHECK(Tracked::alive == 0);  // destroyed at the last reference, though its memory is kept
  const std::size_t kept = CommandRef<Tracked>::blocks_kept();
  CHECK(kept >= 1);
  auto b = CommandRef<Tracked>::make(2);
  CHECK(b.block() == first);
  CHECK(b->value == 2);
  CHECK(CommandRef<Tracked>::blocks_kept() == kept - 1);
}

namespace {
struct ThrowsOnNegative {
  int value;
  explicit ThrowsOnNegative(int v) : value(v) {
    if (v < 0) throw std::invalid_argument("negative");
  }
};
}  // namespace

TEST_CASE("command ref: a command whose construction throws gives its block back") {
  using Ref = CommandRef<ThrowsOnNegative>;
  if (Ref::kMaxBlocksKept == 0) return;
  const std::size_t before = Ref::blocks_kept();
  CHECK_THROWS_AS(Ref::make(-1), std::invalid_argument);
  CHECK(Ref::blocks_kept() == before + (before == Ref::kMaxBlocksKept ? 0 : 1));
}

TEST_CASE("command ref: a thread keeps at most kMaxBlocksKept freed blocks") {
  using Ref = CommandRef<Tracked>;
  Tracked::alive = 0;
  {
    std::vector<Ref> many;
    for (std::size_t i = 0; i < Ref::kMaxBlocksKept + 100; ++i) many.push_back(Ref::make(static_cast<int>(i)));
    CHECK(Tracked::alive == static_cast<int>(Ref::kMaxBlocksKept + 100));
    CHECK(Ref::blocks_kept() == 0);  // every kept block was taken again
  }
  CHECK(Tracked::alive == 0);
  CHECK(Ref::blocks_kept() == Ref::kMaxBlocksKept);  // the last 100 went back to the allocator
}

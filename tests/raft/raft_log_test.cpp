// The Raft log with a compacted prefix, and the key-value store's snapshot:
// what a restarted node reads back is what it wrote.
#include <doctest/doctest.h>

#include "protocols/kv/kv_codec.hpp"
#include "protocols/kv/kv_store.hpp"
#include "protocols/raft/raft_log.hpp"
#include "sim/node/memory_store.hpp"

using namespace faultline;
using namespace faultline::raft;

namespace {

Entry entry(Term term, std::uint64_t sequence) {
  kv::Request r;
  r.client = 1;
  r.sequence = sequence;
  r.kind = kv::OpKind::kPut;
  r.key = "k";
  r.value = "v" + std::to_string(sequence);
  return Entry(term, false, r);
}

}  // namespace

TEST_CASE("compaction keeps indexes and terms, and survives a restart") {
  MemoryStore store;
  RaftLog log;
  for (std::uint64_t i = 1; i <= 10; ++i) log.append(store, entry(i <= 4 ? 1 : 2, i));
  log.compact_through(store, 6, 2);
  store.sync();
  CHECK(log.base_index() == 6);
  CHECK(log.last_index() == 10);
  CHECK(log.term_at(6) == 2);
  CHECK(log.term_at(5) == 0);  // compacted: unknown
  CHECK(log.at(7).command().sequence == 7);
  CHECK(log.slice(3, 10).size() == 4);  // starts at the base
  CHECK(log.first_index_of(2) == 7);

  RaftLog reloaded;
  reloaded.load(store);
  CHECK(reloaded.base_index() == 6);
  CHECK(reloaded.base_term() == 2);
  CHECK(reloaded.last_index() == 10);
  CHECK(reloaded.at(10).command().value == "v10");

  // A snapshot from the leader beyond our log replaces all of it.
  reloaded.compact_through(store, 20, 3);
  CHECK(reloaded.last_index() == 20);
  CHECK(reloaded.last_term() == 3);
  reloaded.append(store, entry(3, 21));
  store.sync();
  RaftLog again;
  again.load(store);
  CHECK(again.last_index() == 21);
  CHECK(again.at(21).command().sequence == 21);
}

TEST_CASE("a key-value snapshot restores data and sessions, so a retry after it still applies once") {
  kv::KvStore store;
  kv::Request put{3, 1, kv::OpKind::kAppend, "key:with|odd\x1f" "bytes", "a", ""};
  store.apply(put);
  store.apply(kv::Request{4, 1, kv::OpKind::kPut, "x", "12:34", ""});
  kv::KvStore restored = kv::KvStore::restore(store.snapshot());
  CHECK(restored == store);
  restored.apply(put);  // the same session sequence: not applied again
  CHECK(restored.read("key:with|odd\x1f" "bytes") == "a");
  CHECK(restored.read("x") == "12:34");
}

TEST_CASE("the log's rewrite count moves on a truncation or a compaction and never on an append") {
  MemoryStore store;
  RaftLog log;
  CHECK(log.rewrites() == 0);
  for (std::uint64_t i = 1; i <= 6; ++i) log.append(store, entry(1, i));
  CHECK(log.rewrites() == 0);  // appends leave every earlier entry as it was
  log.truncate_from(store, 5);
  CHECK(log.rewrites() == 1);
  log.append(store, entry(2, 5));
  CHECK(log.rewrites() == 1);
  log.compact_through(store, 2, 1);
  CHECK(log.rewrites() == 2);
  log.truncate_from(store, 9);  // past the end: nothing removed
  CHECK(log.rewrites() == 2);
}

TEST_CASE("a reload takes a noted command only when the stored bytes are its own") {
  // Two servers of one run share the noted commands (DecodedCommands). A
  // reload must give what the stored bytes say: the command noted at that
  // index when they are its encoding, a decoding of them otherwise.
  DecodedCommands decoded;
  MemoryStore a, b;
  RaftLog on_a(&decoded), on_b(&decoded);
  for (std::uint64_t i = 1; i <= 4; ++i) on_a.append(a, entry(1, i));
  on_b.append(b, entry(1, 1));                      // the same command as a's index 1, another object
  on_b.append(b, on_a.at(2));                       // a's own index 2, shared (as a follower's)
  on_b.append(b, entry(1, 30));                     // index 3: another command than a's
  a.sync();
  b.sync();

  RaftLog reloaded(&decoded);
  reloaded.load(a);
  REQUIRE(reloaded.last_index() == 4);
  for (Index i = 1; i <= 4; ++i) CHECK(reloaded.at(i).command().sequence == i);
  CHECK(reloaded.at(2).shared.get() == on_a.at(2).shared.get());  // noted and byte-equal: taken
  CHECK(reloaded.at(4).shared.get() == on_a.at(4).shared.get());
  CHECK(reloaded.at(3).shared.get() != on_a.at(3).shared.get());  // b's index 3 was noted last: decoded
  CHECK(reloaded.at(3).command().value == "v3");
  CHECK(reloaded.at(1).command().value == "v1");
  CHECK(reloaded.at(1).shared.get() == on_b.at(1).shared.get());  // b's noted last, the same bytes: as good

  RaftLog reloaded_b(&decoded);
  reloaded_b.load(b);
  CHECK(reloaded_b.at(3).command().sequence == 30);  // a's decoded index 3 was noted last: decoded again

  // A slot reused for a later index (the table is direct-mapped) is not
  // taken for an earlier one, and reloading the earlier one does not evict
  // the later.
  DecodedCommands small;
  MemoryStore c;
  RaftLog long_log(&small);
  for (std::uint64_t i = 1; i <= DecodedCommands::kMaxSlots + 2; ++i) long_log.append(c, entry(1, i));
  c.sync();
  RaftLog reloaded_c(&small);
  reloaded_c.load(c);
  CHECK(reloaded_c.at(2).command().sequence == 2);
  CHECK(reloaded_c.at(DecodedCommands::kMaxSlots + 2).shared.get() ==
        long_log.at(DecodedCommands::kMaxSlots + 2).shared.get());
}

TEST_CASE("an AppendEntries' entry list: one entry inline, more on the heap, copies share each command") {
  MemoryStore store;
  RaftLog log;
  for (std::uint64_t i = 1; i <= 5; ++i) log.append(store, entry(1, i));
  EntryList one = log.slice(5, 64);
  REQUIRE(one.size() == 1);
  CHECK(one[0].command().sequence == 5);
  CHECK(log.at(5).shared.use_count() == 2);
  EntryList all = log.slice(1, 64);
  REQUIRE(all.size() == 5);
  for (std::uint64_t i = 1; i <= 5; ++i) CHECK(all[i - 1].command().sequence == i);
  {
    EntryList copy = all;  // a duplicated message
    CHECK(copy.size() == 5);
    CHECK(copy[2].shared.get() == log.at(3).shared.get());
    CHECK(log.at(3).shared.use_count() == 3);
    EntryList moved = std::move(copy);  // into the network's slot: no new reference
    CHECK(copy.empty());
    CHECK(moved.size() == 5);
    CHECK(log.at(3).shared.use_count() == 3);
    moved = one;  // a slot reused by another message
    CHECK(moved.size() == 1);
    CHECK(log.at(3).shared.use_count() == 2);
    CHECK(log.at(5).shared.use_count() == 4);
    EntryList inline_moved = std::move(moved);
    CHECK(moved.empty());
    CHECK(inline_moved[0].command().sequence == 5);
    CHECK(log.at(5).shared.use_count() == 4);
  }
  CHECK(log.at(3).shared.use_count() == 2);
  CHECK(log.at(5).shared.use_count() == 3);
  all.clear();
  one = EntryList();
  for (std::uint64_t i = 1; i <= 5; ++i) CHECK(log.at(i).shared.use_count() == 1);
  EntryList grown;
  for (std::uint64_t i = 1; i <= 5; ++i) grown.push_back(log.at(i));  // grows past the inline slot
  CHECK(grown.size() == 5);
  CHECK(grown[4].command().sequence == 5);
}

TEST_CASE("a command's log record is the bytes the log would encode for its entry") {
  // Command::record() is written once, when the command is made, and the
  // log appends it as it is: it must be "<term>|c|" then kv::encode, for a
  // short request (kept in the command), a long one, and one with escapes.
  kv::Request shortest{1, 2, kv::OpKind::kPut, "k", "v", ""};
  kv::Request longest{4294967295u, 18446744073709551615ull, kv::OpKind::kCas, std::string(30, 'k'),
                      std::string(40, 'v'), std::string(40, 'e'), 4294967295u};
  kv::Request escaped{3, 4, kv::OpKind::kAppend, "a\x1f" "b", "c\\d", ""};
  for (std::size_t fill = 0; fill <= 80; ++fill) {  // across the short record's limit
    kv::Request r{7, 9, kv::OpKind::kAppend, "key", std::string(fill, 'x'), ""};
    for (const Term term : {Term{1}, Term{123456789012345ull}}) {
      const Command c(term, r);
      CHECK(c.record() == std::to_string(term) + "|c|" + kv::encode(r));
      CHECK(c.encoded() == kv::encode(r));
    }
  }
  for (const kv::Request& r : {shortest, longest, escaped}) {
    const Command c(18446744073709551615ull, r);
    CHECK(c.record() == "18446744073709551615|c|" + kv::encode(r));
    CHECK(c.encoded() == kv::encode(r));
    const Command read_back(r, 5, "5|c|" + kv::encode(r), 4);
    CHECK(read_back.record() == "5|c|" + kv::encode(r));
    CHECK(read_back.encoded() == kv::encode(r));
  }

  // The log writes an entry's own term, also when its command was made
  // for another term's entry; and a record whose term digits are not as
  // the log writes them is written as the log writes them when appended
  // again.
  MemoryStore store;
  RaftLog log;
  log.append(store, Entry(3, false, shortest));
  Entry other_term = log.at(1);
  other_term.term = 4;
  log.append(store, other_term);
  log.append(store, Entry(4, true));
  store.sync();
  CHECK(store.log_record(0) == "3|c|" + kv::encode(shortest));
  CHECK(store.log_record(1) == "4|c|" + kv::encode(shortest));
  CHECK(store.log_record(2) == "4|n|");

  MemoryStore odd;
  odd.log_append("0004|c|" + kv::encode(escaped));
  odd.sync();
  RaftLog reloaded;
  reloaded.load(odd);
  REQUIRE(reloaded.last_index() == 1);
  CHECK(reloaded.at(1).term == 4);
  CHECK(reloaded.at(1).command().key == escaped.key);
  MemoryStore again;
  RaftLog copy;
  copy.append(again, reloaded.at(1));
  again.sync();
  CHECK(again.log_record(0) == "4|c|" + kv::encode(escaped));
}

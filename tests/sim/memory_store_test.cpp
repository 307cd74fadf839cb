// Durable storage: what is synced survives a crash, nothing else does.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/node/memory_store.hpp"

using namespace faultline;

TEST_CASE("unsynced writes and erases are lost on crash — synced ones survive") {
  MemoryStore s;
  s.write("term", "3");
  s.write("vote", "n1");
  s.sync();
  s.write("term", "4");
  s.erase("vote");
  s.write("log/1", "x");
  CHECK(s.read("term") == "4");  // reads see the page cache
  CHECK_FALSE(s.read("vote").has_value());
  s.crash();
  CHECK(s.read("term") == "3");
  CHECK(s.read("vote") == "n1");
  CHECK_FALSE(s.read("log/1").has_value());
}

TEST_CASE("scan merges synced and pending state in key order") {
  MemoryStore s;
  s.write("log/1", "a");
  s.write("log/2", "b");
  s.write("log/3", "c");
  s.sync();
  s.erase("log/2");
  s.write("log/4", "d");
  s.write("other", "z");
  std::vector<std::string> seen;
  s.scan("log/", "log0", [&](const std::string& k, const std::string& v) { seen.push_back(k + "=" + v); });
  CHECK(seen == std::vector<std::string>{"log/1=a", "log/3=c", "log/4=d"});
}

namespace {

std::vector<std::string> records(const MemoryStore& s) {
  std::vector<std::string> out;
  for (auto p = s.log_begin(); p < s.log_end(); ++p) out.emplace_back(s.log_record(p));
  return out;
}

}  // namespace

TEST_CASE("the record log: unsynced appends are lost on crash, synced ones survive") {
  MemoryStore s;
  s.log_append("a");
  s.log_append("bb");
  s.sync();
  s.log_append("ccc");
  CHECK(records(s) == std::vector<std::string>{"a", "bb", "ccc"});
  s.crash();
  CHECK(records(s) == std::vector<std::string>{"a", "bb"});
  CHECK(s.log_end() == 2);
  s.log_append("d");
  CHECK(s.log_record(2) == "d");
}

TEST_CASE("the record log: a truncation and the appends after it roll back together") {
  MemoryStore s;
  for (const char* r : {"r0", "r1", "r2", "r3"}) s.log_append(r);
  s.sync();
  s.log_truncate(1);
  s.log_append("x1");
  s.log_append("x2");
  CHECK(records(s) == std::vector<std::string>{"r0", "x1", "x2"});
  s.crash();
  CHECK(records(s) == std::vector<std::string>{"r0", "r1", "r2", "r3"});
  s.log_truncate(2);
  s.sync();
  s.crash();
  CHECK(records(s) == std::vector<std::string>{"r0", "r1"});
}

TEST_CASE("the record log: a dropped prefix keeps positions, survives a sync, and a crash before it restores the prefix") {
  MemoryStore s;
  for (int i = 0; i < 200; ++i) s.log_append("rec" + std::to_string(i));
  s.sync();
  s.log_drop_before(150);
  CHECK(s.log_begin() == 150);
  CHECK(s.log_record(150) == "rec150");
  s.crash();
  CHECK(s.log_begin() == 0);
  CHECK(s.log_record(10) == "rec10");
  s.log_drop_before(150);
  s.sync();  // reclaims the dropped records' space
  s.log_append("rec200");
  s.crash();
  CHECK(s.log_begin() == 150);
  CHECK(s.log_end() == 200);
  CHECK(s.log_record(199) == "rec199");
  CHECK_THROWS(s.log_record(149));
}

TEST_CASE("the record log: dropping past the end empties it and moves the next append there") {
  MemoryStore s;
  s.log_append("a");
  s.log_append("b");
  s.sync();
  s.log_drop_before(10);
  CHECK(s.log_begin() == 10);
  CHECK(s.log_end() == 10);
  s.log_append("k");
  CHECK(s.log_record(10) == "k");
  s.crash();
  CHECK(records(s) == std::vector<std::string>{"a", "b"});
  s.log_drop_before(10);
  s.log_append("k");
  s.sync();
  s.crash();
  CHECK(s.log_begin() == 10);
  CHECK(records(s) == std::vector<std::string>{"k"});
}

TEST_CASE("a sync with latency makes its writes durable only when it completes") {
  MemoryStore s;
  s.write("term", "1");
  s.log_append("a");
  s.begin_sync();  // covers term=1 and record a
  s.write("term", "2");
  s.log_append("b");  // after the mark: not merged into the journal entry of a
  s.begin_sync();     // covers term=2 and record b
  s.log_append("c");
  CHECK(s.pending_syncs() == 2);

  SUBCASE("a crash before either completes loses everything") {
    s.crash();
    CHECK_FALSE(s.read("term").has_value());
    CHECK(s.log_end() == 0);
    CHECK(s.pending_syncs() == 0);
  }
  SUBCASE("a crash after the first completes keeps exactly what it covered") {
    s.complete_sync();
    s.crash();
    CHECK(s.read("term") == "1");
    REQUIRE(s.log_end() == 1);
    CHECK(s.log_record(0) == "a");
  }
  SUBCASE("after both complete only the write after them is lost") {
    s.complete_sync();
    s.complete_sync();
    s.crash();
    CHECK(s.read("term") == "2");
    REQUIRE(s.log_end() == 2);
    CHECK(s.log_record(1) == "b");
  }
}

TEST_CASE("a truncation and a compaction under an outstanding sync are undone by a crash") {
  MemoryStore s;
  for (const char* r : {"a", "b", "c", "d"}) s.log_append(r);
  s.sync();
  s.log_truncate(2);
  s.log_drop_before(1);
  s.begin_sync();
  s.log_append("x");
  s.crash();  // the sync never completed
  CHECK(s.log_begin() == 0);
  REQUIRE(s.log_end() == 4);
  CHECK(s.log_record(3) == "d");

  s.log_truncate(2);
  s.begin_sync();
  s.log_append("y");
  s.complete_sync();
  s.crash();
  REQUIRE(s.log_end() == 2);
  CHECK(s.log_record(1) == "b");
}

TEST_CASE("a completed sync keeps the cuts it covered and a crash restores the cuts after it") {
  // The journal keeps what a truncation or a reset removed apart from its
  // entries (memory_record_log.hpp): a sync that completes must drop exactly
  // its own, so the crash after it puts back the later cuts' records.
  MemoryStore s;
  for (const char* r : {"a", "b", "c", "d", "e"}) s.log_append(r);
  s.sync();
  s.log_append("f");
  s.log_truncate(4);  // "e" and "f" cut, covered by the sync begun next with the append
  s.begin_sync();
  s.log_truncate(2);  // "c", "d" cut after it
  s.log_drop_before(9);  // everything reset, after it too
  s.log_append("z");
  s.complete_sync();
  s.crash();
  CHECK(s.log_begin() == 0);
  REQUIRE(s.log_end() == 4);
  CHECK(s.log_record(2) == "c");
  CHECK(s.log_record(3) == "d");
}

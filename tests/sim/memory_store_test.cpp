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

TEST_CASE("a range erase is one write: lost by a crash before sync, durable after, and later writes stay") {
  MemoryStore s;
  for (const char* k : {"log/1", "log/2", "log/3", "log/4", "other"}) s.write(k, "v");
  s.sync();
  s.erase_range("log/1", "log/3");
  CHECK_FALSE(s.read("log/2").has_value());
  CHECK(s.next_at_or_after("log/")->first == "log/3");
  s.crash();
  CHECK(s.read("log/1") == "v");  // the erase was not synced

  s.erase_range("log/1", "log/3");
  s.write("log/2", "new");  // after the erase: survives it
  s.sync();
  s.crash();
  CHECK_FALSE(s.read("log/1").has_value());
  CHECK(s.read("log/2") == "new");
  CHECK(s.read("log/3") == "v");
  CHECK(s.read("other") == "v");
}

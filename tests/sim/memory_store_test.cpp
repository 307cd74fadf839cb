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

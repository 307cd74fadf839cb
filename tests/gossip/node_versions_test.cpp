// NodeVersions, the gossip observer's version of a key per node: a byte a
// node until a version needs more, then a word, with every value kept.
#include <doctest/doctest.h>

#include "protocols/gossip/binding/node_versions.hpp"

using faultline::NodeVersions;

TEST_CASE("node versions: a byte a node while versions fit, a word after, every value kept") {
  NodeVersions v;
  CHECK(v.empty());
  v.assign(1000);
  CHECK_FALSE(v.empty());
  CHECK(v.bytes_per_node() == 1);
  for (faultline::NodeId n = 0; n < 1000; ++n) CHECK(v[n] == 0);
  v.set(3, 255);
  v.set(999, 7);
  CHECK(v[3] == 255);
  CHECK(v[999] == 7);
  CHECK(v.bytes_per_node() == 1);
  v.set(500, 256);  // does not fit a byte: widens
  CHECK(v.bytes_per_node() == 4);
  CHECK(v[500] == 256);
  CHECK(v[3] == 255);  // kept across the widening
  CHECK(v[999] == 7);
  CHECK(v[0] == 0);
  v.set(3, 4'000'000'000u);
  CHECK(v[3] == 4'000'000'000u);
  v.set(3, 1);  // small again: stays wide
  CHECK(v[3] == 1);
  CHECK(v.bytes_per_node() == 4);
  v.assign(10);  // afresh: narrow again, all none
  CHECK(v.bytes_per_node() == 1);
  for (faultline::NodeId n = 0; n < 10; ++n) CHECK(v[n] == 0);
}

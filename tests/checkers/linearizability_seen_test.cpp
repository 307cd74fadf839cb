// The memo of the linearizability search: a configuration is skipped when an
// explored one had the same answered set and state and used a subset of the
// unanswered operations, no more restricted.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "sim/checkers/linearizability_seen.hpp"

using namespace faultline;

namespace {

struct Config {
  int c_low;
  std::vector<std::uint64_t> c_words;
  std::uint32_t state;  // the register's value, by number
  int p_first;
  std::vector<std::uint64_t> p_words;
  bool after_unanswered;
};

bool insert(SeenConfigurations& seen, const Config& c) {
  return seen.insert(c.c_low, c.c_words, c.state, c.p_first, c.p_words, c.after_unanswered);
}

}  // namespace

TEST_CASE("a configuration using more unanswered operations than an explored one is subsumed") {
  SeenConfigurations seen;
  const Config base{3, {0b101}, 1, 0, {0b0010}, false};
  CHECK(insert(seen, base));
  CHECK_FALSE(insert(seen, base));  // the same
  Config more = base;
  more.p_words = {0b0110};  // a superset of {1}
  CHECK_FALSE(insert(seen, more));
  more.p_first = 1;  // words from word 1: {65}, not a superset of {1}
  more.p_words = {0b0010};
  CHECK(insert(seen, more));
  Config fewer = base;
  fewer.p_words = {};  // none used: can do more than {1}
  CHECK(insert(seen, fewer));
  const Config other_state{3, {0b101}, 2, 0, {0b0010}, false};
  CHECK(insert(seen, other_state));
  Config other_answered = base;
  other_answered.c_words = {0b111};
  CHECK(insert(seen, other_answered));
  Config other_low = base;
  other_low.c_low = 4;
  CHECK(insert(seen, other_low));
  CHECK(seen.size() == 6);  // all but the two subsumed
}

TEST_CASE("a restricted configuration (after an unanswered operation) subsumes only restricted ones") {
  SeenConfigurations seen;
  const Config restricted{0, {}, 1, 0, {0b1}, true};
  CHECK(insert(seen, restricted));
  Config free = restricted;
  free.after_unanswered = false;  // may also put next: not subsumed
  CHECK(insert(seen, free));
  Config later = restricted;
  later.p_words = {0b11};
  CHECK_FALSE(insert(seen, later));  // subsumed by either
  later.after_unanswered = false;
  CHECK_FALSE(insert(seen, later));  // subsumed by `free`
}

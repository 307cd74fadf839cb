// The clients a Raft leader answers when their entries apply
// (protocols/raft/waiting_clients.hpp), against the std::map<Index,
// ClientId> it replaced: the same client taken at each index, the same walk
// in index order, notes out of order and at an index already noted included.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "protocols/host/rng.hpp"
#include "protocols/raft/waiting_clients.hpp"

using namespace faultline;
using namespace faultline::raft;

TEST_CASE("waiting clients: what a std::map gives, in order and out of order") {
  Rng rng(3);
  WaitingClients waiting;
  std::map<Index, ClientId> oracle;
  Index end = 0;  // a leader's log end: most notes go just past it
  for (int step = 0; step < 20000; ++step) {
    const auto pick = rng.below(10);
    if (pick < 5) {
      // Mostly at the log's new end; sometimes anywhere below it (an index
      // noted before, or never).
      const Index index = pick == 0 && end > 0 ? 1 + rng.below(end) : ++end;
      const auto client = static_cast<ClientId>(rng.below(1000));
      waiting.note(index, client);
      oracle[index] = client;
    } else if (pick < 9) {
      // Mostly the lowest waiting index (entries apply in order); sometimes any.
      const Index index = pick < 8 && !oracle.empty() ? oracle.begin()->first : 1 + rng.below(end + 1);
      const auto taken = waiting.take(index);
      const auto it = oracle.find(index);
      REQUIRE(taken.has_value() == (it != oracle.end()));
      if (taken) {
        CHECK(*taken == it->second);
        oracle.erase(it);
      }
    } else if (rng.below(50) == 0) {
      waiting.clear();
      oracle.clear();
    }
    if (step % 500 == 0) {
      std::vector<std::pair<Index, ClientId>> walked, expected(oracle.begin(), oracle.end());
      for (const auto& [index, client] : waiting) walked.emplace_back(index, client);
      REQUIRE(walked == expected);
      CHECK(waiting.empty() == oracle.empty());
    }
  }
}

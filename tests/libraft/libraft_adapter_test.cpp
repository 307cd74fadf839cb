// The raft_io adapter by hand (no simulator): what a crash keeps and loses.
// A one-server libraft cluster elects itself; a client's put is appended
// (written, not yet synced) and completes only when the I/O timer runs
// (sync, then the library's callback).
#include <doctest/doctest.h>

#include "protocols/libraft/libraft_node.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;
using faultline::libraft::LibraftNode;
using Host1 = faultline::testing::RecordingHost<libraft::Message, kv::Reply>;

namespace {

// Fires the earliest armed timer (time moves to it); false if none.
bool fire_next(Host1& host, LibraftNode& node) {
  if (host.timers.empty()) return false;
  auto next = host.timers.begin();
  for (auto it = host.timers.begin(); it != host.timers.end(); ++it)
    if (it->second < next->second) next = it;
  const TimerSlot slot = next->first;
  host.now_ = next->second;
  host.timers.erase(next);
  node.on_timer(host, slot);
  return true;
}

void run_until_leader(Host1& host, LibraftNode& node) {
  for (int i = 0; i < 200 && node.role() != faultline::raft::ViewRole::kLeader; ++i) REQUIRE(fire_next(host, node));
  REQUIRE(node.role() == faultline::raft::ViewRole::kLeader);
  // Let the election's own writes complete.
  while (host.timers.count(LibraftNode::kIoTimer)) fire_next(host, node);
}

kv::Request put(std::uint64_t sequence) {
  kv::Request r;
  r.client = 0;
  r.sequence = sequence;
  r.kind = kv::OpKind::kPut;
  r.key = "k";
  r.value = "v" + std::to_string(sequence);
  return r;
}

}  // namespace

TEST_CASE("libraft adapter: a crash loses an append not yet synced, and a restart recovers exactly what was synced") {
  libraft::Params params;
  Host1 host(0, 1);
  auto node = std::make_unique<LibraftNode>(0, 1, params);
  node->on_start(host);
  run_until_leader(host, *node);
  const auto term = node->current_term();
  const auto base_log = node->log_last_index();  // the bootstrap configuration (and nothing else)
  REQUIRE(base_log == 1);

  // A put the library has handed to raft_io: written, its callback pending.
  node->on_client_request(host, 0, put(1));
  REQUIRE(node->log_last_index() == 2);
  REQUIRE(host.timers.count(LibraftNode::kIoTimer) == 1);  // completion deferred, never re-entrant
  CHECK(host.replies.empty());
  const auto syncs_before = host.store.syncs();

  SUBCASE("crash before the sync: the entry is gone after the restart") {
    node.reset();  // the crash: raft_close, the library frees everything
    host.store.crash();
    host.timers.clear();
    node = std::make_unique<LibraftNode>(0, 1, params);
    node->on_start(host);
    CHECK(node->log_last_index() == 1);
    CHECK(node->current_term() == term);  // term was synced before it was used
  }
  SUBCASE("crash after the sync: the entry, its term and the reply survive") {
    fire_next(host, *node);  // the I/O timer: sync, then the append callback
    CHECK(host.store.syncs() == syncs_before + 1);
    REQUIRE(host.replies.size() == 1);  // one voter: committed and applied on its own write
    CHECK(host.replies[0].second.status == kv::Reply::Status::kOk);
    const auto digest = node->entry_digest(2);
    CHECK(digest == kv::digest(put(1)));
    node.reset();
    host.store.crash();
    host.timers.clear();
    node = std::make_unique<LibraftNode>(0, 1, params);
    node->on_start(host);
    CHECK(node->log_last_index() == 2);
    CHECK(node->term_at(2) == term);
    CHECK(node->entry_digest(2) == digest);
    CHECK(node->current_term() >= term);
  }
}

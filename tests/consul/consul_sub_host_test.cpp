// The sub-host (protocols/host/sub_host.hpp): an inner protocol's actions
// reach the composite's host wrapped, offset and routed, and its random
// stream is its own.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "protocols/host/sub_host.hpp"

using namespace faultline;

namespace {

struct InnerA {
  int value = 0;
};
struct InnerB {
  std::string text;
};
using Outer = std::variant<InnerA, InnerB>;

// The composite's host: records what it is asked to do.
class RecordingHost final : public Host<Outer, int> {
 public:
  Time now() const override { return 42; }
  NodeId self() const override { return 3; }
  NodeId cluster_size() const override { return 10; }
  void send(NodeId to, Outer m) override { sent.push_back({to, std::move(m)}); }
  void set_timer(TimerSlot slot, Duration after) override { timers.push_back({slot, after}); }
  void cancel_timer(TimerSlot slot) override { cancelled.push_back(slot); }
  Rng& rng() override { return node_rng; }
  DurableStore& storage() override { throw std::logic_error("not used"); }
  void reply(ClientId client, int r) override { replies.push_back({client, r}); }
  void emit(std::string_view kind, std::initializer_list<TraceField>) override { emitted.emplace_back(kind); }

  std::vector<std::pair<NodeId, Outer>> sent;
  std::vector<std::pair<TimerSlot, Duration>> timers;
  std::vector<TimerSlot> cancelled;
  std::vector<std::pair<ClientId, int>> replies;
  std::vector<std::string> emitted;
  Rng node_rng{7};
};

struct RouteA {
  Outer wrap(InnerA&& m) const { return Outer(std::in_place_index<0>, m); }
  // Replies to client 99 are the composite's own; the rest go out, doubled.
  void reply(Host<Outer, int>& outer, ClientId client, int&& r) {
    if (client == 99) kept.push_back(r);
    else outer.reply(client, r * 2);
  }
  std::vector<int> kept;
};

struct RouteB {
  Outer wrap(InnerB&& m) const { return Outer(std::in_place_index<1>, std::move(m)); }
  void reply(Host<Outer, int>&, ClientId, std::monostate&&) {}
};

}  // namespace

TEST_CASE("a sub-host wraps messages, offsets timer slots, routes replies and passes events to the trace") {
  RecordingHost outer;
  Rng a_rng(1), b_rng(2);
  RouteA route_a;
  RouteB route_b;
  SubHost<Outer, int, InnerA, int, RouteA> a(outer, 0, 5, a_rng, route_a);
  SubHost<Outer, int, InnerB, std::monostate, RouteB> b(outer, 3, 10, b_rng, route_b);

  a.send(1, InnerA{17});
  b.send(2, InnerB{"hello"});
  REQUIRE(outer.sent.size() == 2);
  CHECK(outer.sent[0].first == 1);
  CHECK(std::get<0>(outer.sent[0].second).value == 17);
  CHECK(outer.sent[1].first == 2);
  CHECK(std::get<1>(outer.sent[1].second).text == "hello");

  // Each inner protocol's slots land in its own range of the composite's.
  a.set_timer(2, 100);
  b.set_timer(0, 200);
  b.set_timer(4, 300);
  b.cancel_timer(1);
  CHECK(outer.timers == std::vector<std::pair<TimerSlot, Duration>>{{2, 100}, {3, 200}, {7, 300}});
  CHECK(outer.cancelled == std::vector<TimerSlot>{4});

  // Replies: kept by the composite for its own client, passed on otherwise.
  a.reply(99, 5);
  a.reply(4, 6);
  CHECK(route_a.kept == std::vector<int>{5});
  CHECK(outer.replies == std::vector<std::pair<ClientId, int>>{{4, 12}});

  // Events reach the node's trace, and only it: a composite reads its
  // inner protocols' typed state, never their events.
  a.emit("dead", {{"member", 4}});
  CHECK(outer.emitted == std::vector<std::string>{"dead"});

  // The node's clock and id; each inner protocol's own cluster size.
  CHECK(a.now() == 42);
  CHECK(b.self() == 3);
  CHECK(a.cluster_size() == 5);
  CHECK(b.cluster_size() == 10);
}

TEST_CASE("a sub-host's random stream is its own: draws in one inner protocol leave the other's numbers alone") {
  RecordingHost outer;
  RouteA route_a;
  RouteB route_b;
  auto b_draws = [&](int a_draws_first) {
    Rng a_rng(1), b_rng(2);
    SubHost<Outer, int, InnerA, int, RouteA> a(outer, 0, 5, a_rng, route_a);
    SubHost<Outer, int, InnerB, std::monostate, RouteB> b(outer, 3, 10, b_rng, route_b);
    for (int i = 0; i < a_draws_first; ++i) a.rng().next();
    std::vector<std::uint64_t> out;
    for (int i = 0; i < 4; ++i) out.push_back(b.rng().next());
    return out;
  };
  CHECK(b_draws(0) == b_draws(13));
  const std::uint64_t node_first = Rng(7).next();
  CHECK(outer.node_rng.next() == node_first);  // the node's own stream untouched
}

// params.idle_heartbeats (raft_params.hpp): Figure 2's "repeat during idle
// periods", as LogCabin sends heartbeats. The leader's heartbeat goes only
// to a follower that was sent nothing for a heartbeat interval, so every
// follower still hears from the leader at least once an interval, and a
// busy leader sends no heartbeat at all. Checked in the trace (gaps, and
// which AppendEntries carry nothing) on the sweep benchmark's load, and
// against the default, which sends every interval whatever else went.
// Off, nothing changes: the shipped scenarios' hashes
// (tests/scenario/shipped_hashes_test.cpp) hold that.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "protocols/raft/raft_node.hpp"
#include "sim/binding/protocol_registry.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/recording_host.hpp"

using namespace faultline;
using test::json_field;
using test::metric;
using test::select;

namespace {

constexpr Duration kInterval = 50 * kMillisecond;

// Five servers on uniform 1-5 ms links, 50 ms heartbeats; clients as in
// scenarios/raft/leader_crash.yaml (4 clients, `rate` requests/s offered;
// 200 there) or none (rate 0).
Scenario cluster(bool idle_heartbeats, int rate, const std::string& duration = "5s") {
  std::string text = "protocol: raft\nnodes: 5\nduration: " + duration +
                     "\nparams: {election_timeout: 150ms..300ms, heartbeat_interval: 50ms, idle_heartbeats: " +
                     (idle_heartbeats ? "true" : "false") +
                     "}\nnetwork: {latency: {dist: uniform, min: 1ms, max: 5ms}}\n";
  if (rate > 0)
    text += "workload: {clients: 4, rate: " + std::to_string(rate) +
            ", keys: 4, read_fraction: 0.4, request_timeout: 300ms}\n";
  return load_scenario_text(text, "idle_heartbeats.yaml", {});
}

using Traced = test::TracedRun;

Traced run(const Scenario& s, std::uint64_t seed) { return test::run_registered_traced(s, seed); }

// Per follower of the one leader the run had: its AppendEntries sends, as
// (time, entries carried), in time order. (The trace names one that
// carries no entries "heartbeat".)
std::map<std::string, std::vector<std::pair<Time, int>>> appends_by_follower(const Traced& t) {
  std::map<std::string, std::vector<std::pair<Time, int>>> out;
  for (const char* type : {"append_entries", "heartbeat"})
    for (const auto& l : select(t.lines, "send", {{"type", type}}))
      out[json_field(l, "to")].emplace_back(std::stoll(json_field(l, "t")), std::stoi(json_field(l, "count")));
  for (auto& [follower, sends] : out) std::stable_sort(sends.begin(), sends.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

using TestHost = testing::RecordingHost<raft::Message, kv::Reply>;

kv::Request put(ClientId client, std::uint64_t sequence) {
  kv::Request r;
  r.client = client;
  r.sequence = sequence;
  r.kind = kv::OpKind::kPut;
  r.key = "k";
  r.value = "v";
  return r;
}

// The AppendEntries sent from message `from` on, as (to, prev_log_index, entries).
std::vector<std::tuple<NodeId, raft::Index, std::size_t>> appends_since(const TestHost& host, std::size_t from) {
  std::vector<std::tuple<NodeId, raft::Index, std::size_t>> out;
  for (std::size_t i = from; i < host.sent.size(); ++i)
    if (const auto* a = std::get_if<raft::AppendEntries>(&host.sent[i].second))
      out.emplace_back(host.sent[i].first, a->prev_log_index, a->entries.size());
  return out;
}

}  // namespace

TEST_CASE("idle_heartbeats: a heartbeat skips a follower sent to within the interval only if nothing is left to send it") {
  // One entry per AppendEntries, three servers. Server 2 refuses and is
  // backed up to index 1, so entries 2..4 are unsent to it, though it was
  // sent one a moment ago; server 1 has been sent the whole log. As
  // libraft's progressShouldReplicate: the early heartbeat goes to 2 alone.
  struct Row {
    bool idle_heartbeats;
    Time heartbeat_at;
    std::vector<std::tuple<NodeId, raft::Index, std::size_t>> expected;
  };
  const Row rows[] = {
      {true, 3 * kMillisecond, {{2, 1, 1}}},                   // 1 is up to date and was sent to 2 ms ago
      {true, 60 * kMillisecond, {{1, 4, 0}, {2, 1, 1}}},       // both idle a whole interval
      {false, 3 * kMillisecond, {{1, 4, 0}, {2, 1, 1}}},       // the default: every follower, every interval
  };
  for (const Row& row : rows) {
    CAPTURE(row.idle_heartbeats);
    CAPTURE(row.heartbeat_at);
    raft::Params params;
    params.idle_heartbeats = row.idle_heartbeats;
    params.max_entries_per_append = 1;
    params.probe_after_refusal = false;
    TestHost host{0, 3};
    raft::RaftNode node{0, 3, params};
    node.on_start(host);
    node.on_timer(host, raft::RaftNode::kElectionTimer);
    node.on_message(host, 1, raft::VoteReply{1, true, false});
    REQUIRE(node.role() == raft::Role::kLeader);  // its no-op at 1, sent to both
    host.now_ = 1 * kMillisecond;
    for (std::uint64_t s = 1; s <= 3; ++s) node.on_client_request(host, 7, put(7, s));  // 2..4, one per message
    host.now_ = 2 * kMillisecond;
    node.on_message(host, 2, raft::AppendReply{1, false, 0, 1, 0});  // 2 holds nothing: back to 1, resent
    REQUIRE(std::get<1>(appends_since(host, 0).back()) == 0);        // (prev 0: entry 1 again)
    host.now_ = row.heartbeat_at;
    const std::size_t before = host.sent.size();
    node.on_timer(host, raft::RaftNode::kHeartbeatTimer);
    CHECK(appends_since(host, before) == row.expected);
    // The timer fires again when the first follower comes due: at most an interval on.
    REQUIRE(host.timers.count(raft::RaftNode::kHeartbeatTimer) == 1);
    CHECK(host.timers.at(raft::RaftNode::kHeartbeatTimer) > row.heartbeat_at);
    CHECK(host.timers.at(raft::RaftNode::kHeartbeatTimer) <= row.heartbeat_at + params.heartbeat_interval);
  }
}

TEST_CASE("idle_heartbeats: an idle cluster's run is the default's, event for event") {
  // Nothing but heartbeats goes: each follower is idle a whole interval at
  // every heartbeat, so each gets one, as with the option off.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    const RunResult always = run(cluster(false, 0), seed).result;
    const RunResult idle = run(cluster(true, 0), seed).result;
    REQUIRE(always.violations.empty());
    CHECK(metric(always, "messages_sent") > 300);  // 5 s of heartbeats to four followers and their answers
    CHECK(idle.trace_hash == always.trace_hash);
  }
}

TEST_CASE("idle_heartbeats: under load no follower waits an interval, and a heartbeat goes only after one idle") {
  // 200 requests/s (the sweep benchmark's load: the leader is rarely idle
  // for an interval) and 20 (often idle: the heartbeat timer's due time
  // then decides how long a follower waits).
  for (const int rate : {200, 20})
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    CAPTURE(rate);
    CAPTURE(seed);
    const Traced always = run(cluster(false, rate), seed);
    const Traced idle = run(cluster(true, rate), seed);
    for (const Traced* t : {&always, &idle}) {
      REQUIRE(t->result.violations.empty());
      REQUIRE(metric(t->result, "elections") == 1);  // one leader throughout: the gaps below are its
    }
    const auto sent_always = appends_by_follower(always);
    const auto sent_idle = appends_by_follower(idle);
    REQUIRE(sent_idle.size() == 4);
    std::size_t early_heartbeats_always = 0, total_always = 0, total_idle = 0;
    for (const auto& [follower, sends] : sent_idle) {
      CAPTURE(follower);
      total_idle += sends.size();
      for (std::size_t i = 1; i < sends.size(); ++i) {
        // Never silent for more than an interval...
        CHECK(sends[i].first - sends[i - 1].first <= kInterval);
        // ... and a heartbeat (nothing to carry) only once it was silent a whole one.
        if (sends[i].second == 0) CHECK(sends[i].first - sends[i - 1].first >= kInterval);
      }
    }
    for (const auto& [follower, sends] : sent_always) {
      total_always += sends.size();
      for (std::size_t i = 1; i < sends.size(); ++i)
        if (sends[i].second == 0 && sends[i].first - sends[i - 1].first < kInterval) ++early_heartbeats_always;
    }
    // The default sends a heartbeat every interval, under load most of
    // them soon after an AppendEntries with entries: the ones the option
    // leaves out.
    CHECK(early_heartbeats_always > (rate == 200 ? 300u : 100u));
    CHECK(total_idle + early_heartbeats_always / 2 < total_always);
    CHECK(metric(idle.result, "messages_per_commit") < 0.9 * metric(always.result, "messages_per_commit"));
    // The clients fare the same (one run's count is noisy at 20/s: the
    // 100-seed test below compares the sums).
    if (rate == 200) CHECK(metric(idle.result, "ops_ok") > 0.95 * metric(always.result, "ops_ok"));
  }
}

TEST_CASE("idle_heartbeats: leader crashes are recovered from as with the default, every check passing") {
  // The sweep benchmark's scenario on 100 seeds: the same elections (the
  // gap a follower may see is the same interval), fewer messages, the same
  // answered operations.
  const auto file = std::filesystem::path(FAULTLINE_SOURCE_DIR) / "scenarios/raft/leader_crash.yaml";
  double elections[2] = {0, 0}, messages[2] = {0, 0}, ops[2] = {0, 0};
  for (const bool on : {false, true}) {
    const Scenario s = load_scenario_file(
        file.string(), {parse_override("duration=10s"),
                        parse_override(on ? "params.idle_heartbeats=true" : "params.idle_heartbeats=false")});
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
      RunOptions o;
      o.seed = seed;
      const RunResult r = find_protocol("raft")->run(s, o);
      CAPTURE(seed);
      CHECK(r.violations.empty());
      CHECK(r.ok());
      elections[on] += metric(r, "elections");
      messages[on] += metric(r, "messages_sent");
      ops[on] += metric(r, "ops_ok");
    }
  }
  CHECK(elections[1] < 1.1 * elections[0]);
  CHECK(messages[1] < 0.9 * messages[0]);
  CHECK(ops[1] > 0.99 * ops[0]);
}

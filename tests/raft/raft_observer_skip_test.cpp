// The Raft observer skips a look at a server whose state is what it saw last
// (RaftObserver::unchanged): these tests hold what must not be skipped, with
// a cluster of scripted views fed to the observer event by event.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "protocols/raft/binding/raft_observer.hpp"
#include "sim/run/run_result.hpp"

using namespace faultline;

namespace {

// One server's state, as a test sets it.
class ScriptedView final : public raft::RaftStateView {
 public:
  raft::ViewRole role_now = raft::ViewRole::kFollower;
  raft::ViewTerm term = 1;
  raft::ViewIndex commit = 0;
  std::vector<raft::ViewTerm> terms;  // terms[i - 1]: the entry at index i
  std::uint64_t rewrites = 0;
  std::vector<raft::ViewIndex> matches;  // a leader's, per server
  std::vector<std::uint64_t> digests;    // digests[i - 1]: the entry at index i's command (absent: i)

  raft::ViewRole role() const override { return role_now; }
  raft::ViewTerm current_term() const override { return term; }
  std::optional<NodeId> voted_for() const override { return std::nullopt; }
  raft::ViewIndex commit_index() const override { return commit; }
  raft::ViewIndex last_applied() const override { return 0; }
  raft::ViewIndex log_base_index() const override { return 0; }
  raft::ViewIndex log_last_index() const override { return terms.size(); }
  raft::ViewTerm term_at(raft::ViewIndex i) const override { return i >= 1 && i <= terms.size() ? terms[i - 1] : 0; }
  std::uint64_t entry_digest(raft::ViewIndex i) const override { return i <= digests.size() ? digests[i - 1] : i; }
  std::optional<raft::ViewIndex> match_index(NodeId server) const override {
    if (role_now != raft::ViewRole::kLeader) return std::nullopt;
    return matches[server];
  }
  bool leadership_established() const override { return role_now == raft::ViewRole::kLeader; }
  raft::ViewSummary summary() const override {
    const bool leads = role_now == raft::ViewRole::kLeader;
    return {role_now, term, commit, 0, 0, terms.size(), rewrites, leads ? matches.data() : nullptr};
  }
};

class ScriptedCluster final : public RaftCluster {
 public:
  explicit ScriptedCluster(NodeId n) : views(n), running(n, true), connectivity_(n) {
    for (auto& v : views) v.matches.assign(n, 0);
  }
  std::vector<ScriptedView> views;
  std::vector<bool> running;
  NodeId acting = kNoNode;
  std::vector<std::string> violations;

  NodeId node_count() const override { return static_cast<NodeId>(views.size()); }
  bool is_running(NodeId node) const override { return running[node]; }
  const Connectivity& connectivity() const override { return connectivity_; }
  std::string node_name(NodeId node) const override { return "n" + std::to_string(node); }
  NodeId acting_node() const override { return acting; }
  const raft::RaftStateView& view(NodeId node) const override { return views[node]; }
  void report_violation(NodeId, std::string invariant, std::string message) override {
    violations.push_back(invariant + ": " + message);
  }

 private:
  Connectivity connectivity_;
};

// A scripted cluster and the observer it feeds, one event at a time, a
// microsecond apart.
struct ObservedCluster {
  explicit ObservedCluster(NodeId n) : c(n), observer(c, n) {}
  ScriptedCluster c;
  RaftObserver observer;
  Time t = 0;
  // An event at `node`, then the observer's look.
  void event_at(NodeId node) {
    c.acting = node;
    observer.after_event(t += 1000);
  }
  // n0 leads term 1 with entries 1..2, `followers` receive and acknowledge
  // them, and n0 commits them; returns n0's view. The first event looks at
  // every server.
  ScriptedView& commit_two_entries_at_n0(std::initializer_list<NodeId> followers) {
    event_at(0);
    auto& leader = c.views[0];
    leader.role_now = raft::ViewRole::kLeader;
    leader.terms = {1, 1};
    leader.matches[0] = 2;
    event_at(0);
    for (NodeId f : followers) {
      c.views[f].terms = {1, 1};
      event_at(f);
    }
    for (NodeId f : followers) leader.matches[f] = 2;
    leader.commit = 2;
    event_at(0);
    return leader;
  }
};

}  // namespace

TEST_CASE("an event that changes only a leader's match index is looked at: an acknowledgement lost in a crash is caught") {
  // Five servers; n0 leads term 1 with entries 1..2. n3 acknowledges them
  // after they committed, at an event of the leader's that changes nothing
  // but its match index for n3; then n3 crashes and comes back without them
  // (never synced). What n3 acknowledged it must recover (committed_entry_kept).
  ObservedCluster run(5);
  auto& c = run.c;
  auto& leader = run.commit_two_entries_at_n0({1, 2});  // on n0, n1, n2's acknowledgements
  c.views[3].terms = {1, 1};
  run.event_at(3);  // n3 holds them, not yet acknowledged
  run.event_at(0);  // nothing new at the leader: a look that may be skipped
  leader.matches = {2, 2, 2, 2, 0};
  run.event_at(0);  // only n3's match index moved: n3 acknowledged 1..2
  CHECK(c.violations.empty());

  run.observer.before_crash(run.t, 3);
  c.running[3] = false;
  run.observer.on_crash(run.t, 3);
  c.views[3].terms.clear();  // what it had was never synced
  c.views[3].rewrites = 0;
  c.running[3] = true;
  run.observer.on_restart(run.t, 3);
  run.event_at(3);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].find("committed_entry_kept") == 0);
  CHECK(c.violations[0].find("acknowledged") != std::string::npos);
}

TEST_CASE("a server whose state did not change is looked at again after a loss was reported there") {
  // After a violation the checker forgets what the server held and, at its
  // next look, learns it again: that look must happen even when the
  // server's state is unchanged, so a second loss at a later event is
  // reported too (as it was before looks were ever skipped).
  ObservedCluster run(3);
  auto& c = run.c;
  run.event_at(0);
  auto& leader = c.views[0];
  leader.role_now = raft::ViewRole::kLeader;
  leader.terms = {1, 1, 1};
  leader.matches = {3, 0, 0};
  run.event_at(0);
  auto& f = c.views[1];
  f.terms = {1, 1, 1};
  run.event_at(1);
  leader.matches = {3, 3, 0};
  leader.commit = 3;
  run.event_at(0);  // 1..3 committed; n1 holds them
  f.terms = {1, 1};  // n1 loses entry 3
  f.rewrites = 1;
  run.event_at(1);
  REQUIRE(c.violations.size() == 1);
  run.event_at(1);  // nothing changed at n1: it learns again that it holds 1..2
  f.terms = {1};  // and loses entry 2
  f.rewrites = 2;
  run.event_at(1);
  REQUIRE(c.violations.size() == 2);
  CHECK(c.violations[1].find("index 2") != std::string::npos);
}

TEST_CASE("an event that only appends entries already committed is looked at: losing them at the next event is caught") {
  // A look at a server whose log only grew may be skipped when nothing it
  // appended is committed (RaftObserver::unchanged, check_repeats). Here n2
  // receives entries 1..2 after they committed, at an event that changes
  // nothing else of its state (its own commit index stays 0): it holds them
  // from then on, so dropping them at its next event is a lost commit.
  ObservedCluster run(3);
  auto& c = run.c;
  run.commit_two_entries_at_n0({1});  // 1..2 committed on n0 and n1; n2 has neither
  run.event_at(2);  // nothing new at n2
  auto& late = c.views[2];
  late.terms = {1};
  run.event_at(2);  // n2 appends the committed entry 1, nothing else changes
  late.terms = {1, 1};
  run.event_at(2);  // and entry 2
  CHECK(c.violations.empty());
  late.terms = {1};  // a truncation drops entry 2
  late.rewrites = 1;
  run.event_at(2);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].find("committed_entry_kept") == 0);
  CHECK(c.violations[0].find("index 2") != std::string::npos);
}

// Log Matching is checked at every election and at the end, over copies of
// the logs that carry over from one check to the next while a server's
// log's rewrite count and base are unchanged (RaftObserver::LogCopy), and
// pairs compared only above what the last check found equal (PairChecked).
// These hold what must be read again.

namespace {

// n0 leads term 1 with entries 1..2 (both term 1), n1 holds the same two:
// the election's check copies both logs and finds them equal up to 2.
// Nothing is committed, so only log_matching can see what follows.
void two_equal_logs(ObservedCluster& run) {
  auto& c = run.c;
  run.event_at(0);
  c.views[1].terms = {1, 1};
  c.views[1].digests = {7, 8};
  run.event_at(1);
  auto& leader = c.views[0];
  leader.terms = {1, 1};
  leader.digests = {7, 8};
  leader.role_now = raft::ViewRole::kLeader;
  run.event_at(0);  // elected: log matching checked
  REQUIRE(run.c.violations.empty());
}

}  // namespace

TEST_CASE("log matching reads again an entry replaced since the last check: a rewrite makes a fresh copy") {
  ObservedCluster run(3);
  two_equal_logs(run);
  auto& c = run.c;
  // n1 replaces entry 2 by another command of the same term (a broken
  // follower): the logs agree on the term at 2 but not on the entry.
  c.views[1].digests = {7, 9};
  c.views[1].rewrites = 1;
  run.event_at(1);
  Metrics metrics;
  run.observer.finish(run.t, metrics);  // checks log matching again
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].find("log_matching") == 0);
  CHECK(c.violations[0].find("differ at index 2") != std::string::npos);
}

TEST_CASE("log matching reads again the log of a server restarted since the last check: its rewrite count starts afresh") {
  ObservedCluster run(3);
  two_equal_logs(run);
  auto& c = run.c;
  // n1 crashes and comes back, between two checks, with a log whose entry
  // 2 is another command, and the rewrite count of a fresh start (0, as
  // before): only the crash says its copy is stale.
  run.observer.before_crash(run.t, 1);
  c.running[1] = false;
  run.observer.on_crash(run.t, 1);
  c.views[1].digests = {7, 9};
  c.running[1] = true;
  run.observer.on_restart(run.t, 1);
  run.event_at(1);
  Metrics metrics;
  run.observer.finish(run.t, metrics);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].find("log_matching") == 0);
}

TEST_CASE("log matching compares the entries appended since the last check") {
  ObservedCluster run(3);
  two_equal_logs(run);
  auto& c = run.c;
  // Both append entry 3 of term 1, each a different command: appends only,
  // so the copies carry over and only index 3 is new to compare.
  c.views[0].terms = {1, 1, 1};
  c.views[0].digests = {7, 8, 10};
  c.views[0].matches = {3, 0, 0};
  run.event_at(0);
  c.views[1].terms = {1, 1, 1};
  c.views[1].digests = {7, 8, 11};
  run.event_at(1);
  Metrics metrics;
  run.observer.finish(run.t, metrics);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].find("differ at index 3") != std::string::npos);
}

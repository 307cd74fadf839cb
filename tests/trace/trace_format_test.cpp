// docs/trace-format.md documents every event kind the code emits, every field
// of each, and every message type's own fields. Every shipped scenario runs
// (seed 1, level `all`, its first kMaxEvents events), and so do runs that
// break an invariant (for `violation` lines); each line must be found in the
// doc's tables: an engine event in "Engine events", a protocol's event in
// "Protocol events" under its protocol, a message's type and extra fields in
// "Message fields" under its protocol. Each key appears once per line.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/heartbeat_runs.hpp"
#include "tests/support/sweep_runs.hpp"
#include "tests/support/trace_lines.hpp"

using namespace faultline;
using namespace faultline::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxEvents = 20000;

// One row of a table of the doc: the protocols it is about (none in
// "Engine events"), the kinds or message types it names, the keys it names.
struct DocRow {
  std::set<std::string> protocols, names, keys;
};
struct DocTables {
  std::vector<DocRow> engine, protocol, message;
};

std::set<std::string> backticked(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t a = text.find('`'); a != std::string::npos; a = text.find('`', a + 1)) {
    const std::size_t b = text.find('`', a + 1);
    if (b == std::string::npos) break;
    out.insert(text.substr(a + 1, b - a - 1));
    a = b;
  }
  return out;
}

// The cells of a table row, split on '|' but not on an escaped "\|".
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out(1);
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|' && row[i - 1] != '\\') out.emplace_back();
    else out.back().push_back(row[i]);
  }
  out.pop_back();  // after the closing '|'
  return out;
}

std::set<std::string> protocol_names_in(const std::string& cell) {
  std::set<std::string> out;
  std::stringstream in(cell);
  for (std::string name; std::getline(in, name, ',');) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    out.insert(name);
  }
  return out;
}

DocTables read_doc() {
  std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/trace-format.md");
  REQUIRE(in);
  DocTables doc;
  std::vector<DocRow>* table = nullptr;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      table = line.rfind("## Engine events", 0) == 0     ? &doc.engine
              : line.rfind("## Protocol events", 0) == 0 ? &doc.protocol
              : line.rfind("## Message fields", 0) == 0  ? &doc.message
                                                         : nullptr;
      continue;
    }
    if (!table || line.rfind("|", 0) != 0 || line.rfind("|-", 0) == 0) continue;
    const auto c = cells(line);
    DocRow row;
    if (table == &doc.engine) {
      row.names = backticked(c.at(0));
      for (const auto& cell : c) row.keys.merge(backticked(cell));
    } else {
      REQUIRE(c.size() >= 3);
      row.protocols = protocol_names_in(c[0]);
      row.names = backticked(c[1]);
      for (std::size_t i = 2; i < c.size(); ++i) row.keys.merge(backticked(c[i]));
    }
    if (!row.names.empty()) table->push_back(std::move(row));  // header rows name nothing in backticks
  }
  return doc;
}

const DocRow* find_row(const std::vector<DocRow>& table, const std::string& protocol, const std::string& name) {
  for (const auto& row : table)
    if (row.names.count(name) && (row.protocols.empty() || row.protocols.count(protocol))) return &row;
  return nullptr;
}

// What the runs emitted that the doc does not say, and what they emitted at all.
struct Audit {
  std::set<std::string> undocumented;
  std::set<std::string> seen;  // "protocol kind", and "protocol kind type" for message events
  std::uint64_t lines = 0;
};

void check_line(const DocTables& doc, const std::string& protocol, const TraceLine& line, Audit& audit) {
  ++audit.lines;
  const std::string* kind = find_key(line, "kind");
  REQUIRE(kind != nullptr);
  std::set<std::string> allowed = {"t", "kind", "node"};
  std::set<std::string> keys;
  for (const auto& [key, value] : line)
    if (!keys.insert(key).second) audit.undocumented.insert(protocol + " " + *kind + ": key " + key + " twice");
  std::string what = protocol + " " + *kind;
  if (const DocRow* engine = find_row(doc.engine, protocol, *kind)) {
    allowed.insert(engine->keys.begin(), engine->keys.end());
    if (const std::string* type = find_key(line, "type")) {
      what += " " + *type;
      if (const DocRow* fields = find_row(doc.message, protocol, *type))
        allowed.insert(fields->keys.begin(), fields->keys.end());
      else
        audit.undocumented.insert(what + ": message type not in \"Message fields\"");
    }
  } else if (const DocRow* row = find_row(doc.protocol, protocol, *kind)) {
    allowed.insert(row->keys.begin(), row->keys.end());
  } else {
    audit.undocumented.insert(what + ": kind not documented");
  }
  audit.seen.insert(what);
  for (const auto& key : keys)
    if (!allowed.count(key)) audit.undocumented.insert(what + ": field " + key + " not documented");
}

void run_and_check(const DocTables& doc, Scenario s, std::uint64_t seed, Audit& audit) {
  CAPTURE(s.path);
  s.stop.max_events = std::min<std::uint64_t>(s.stop.max_events.value_or(kMaxEvents), kMaxEvents);
  RunOptions o;
  o.seed = seed;
  o.trace_level = TraceLevel::kAll;
  o.trace_path = temp_path("format.jsonl");
  find_protocol(s.protocol)->run(s, o);
  for (const auto& text : read_lines(o.trace_path)) {
    try {
      check_line(doc, s.protocol, parse_trace_line(text), audit);
    } catch (const std::runtime_error& e) {
      FAIL("not a trace line: " << e.what());
    }
  }
  fs::remove(o.trace_path);
}

std::string listed(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "\n  " + i;
  return out;
}

}  // namespace

// Label "long": it checks documentation, not memory safety, so the sanitizer run skips it.
TEST_CASE("docs/trace-format.md documents every event kind and field that shipped scenarios emit (message fields too)" *
          doctest::test_suite("long")) {
  const DocTables doc = read_doc();
  REQUIRE(doc.engine.size() >= 10);
  REQUIRE(doc.protocol.size() >= 30);
  REQUIRE(doc.message.size() >= 15);
  Audit audit;
  std::vector<std::string> files;
  for (const auto& folder : fs::directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / "scenarios"))
    for (const auto& f : fs::directory_iterator(folder.path()))
      if (f.path().extension() == ".yaml") files.push_back(folder.path().filename().string() + "/" + f.path().filename().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 40);
  for (const auto& file : files) run_and_check(doc, shipped_scenario(file), 1, audit);
  CHECK_MESSAGE(audit.undocumented.empty(), "emitted but not in docs/trace-format.md:" << listed(audit.undocumented));

  // The runs did show what the doc promises a viewer: message fields, role
  // lanes for every protocol with roles, and the client history.
  for (const char* expected : {"raft role", "multipaxos role", "paxos role", "raft invoke", "raft complete",
                               "multipaxos invoke", "primary_backup complete", "raft send append_entries",
                               "swim deliver ack", "gossip send push", "heartbeat drop heartbeat",
                               "pingpong deliver pong", "paxos send promise", "multipaxos send accept"})
    CHECK_MESSAGE(audit.seen.count(expected), expected << " never emitted");
  MESSAGE(audit.lines << " trace lines checked, " << audit.seen.size() << " distinct kinds and message types");
}

TEST_CASE("a broken invariant is a documented `violation` line naming the checker, the node and what broke") {
  const DocTables doc = read_doc();
  // A mutant of each kind of checker: an online one at a node (Raft's term
  // is not durable: term_monotonic), and linearizability at the end of the run.
  struct Case {
    const char* scenario;
    const char* mutant;
    const char* checker;
    bool at_node;
  };
  const Case cases[] = {
      {"raft/churn.yaml", "params.mutant=vote_not_persisted", "term_monotonic", true},
      {"primary_backup/steady.yaml", "params.follower_reads=true", "linearizability", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.mutant);
    Scenario s = shipped_scenario(c.scenario, {c.mutant});
    if (s.protocol == "primary_backup") {
      // As in kv_workload_test: clients ask any node, so backups serve stale reads.
      s.workload->random_target = true;
      s.network.defaults.latency.max = 30 * kMillisecond;
      s.workload->keys = 2;
    }
    std::string invariant;
    const std::uint64_t seed = first_violation(sweep_seeds(s, 10), invariant);
    REQUIRE_MESSAGE(seed != 0, c.mutant << " broke nothing in seeds 1..10");
    CHECK(invariant == c.checker);
    RunOptions o;
    o.seed = seed;
    o.trace_level = TraceLevel::kFaults;  // a violation is kept at every level
    o.trace_path = temp_path("violation.jsonl");
    const RunResult r = find_protocol(s.protocol)->run(s, o);
    const auto lines = read_lines(o.trace_path);
    fs::remove(o.trace_path);
    std::vector<TraceLine> violations;
    for (const auto& text : lines) {
      TraceLine line = parse_trace_line(text);
      if (*find_key(line, "kind") == "violation") violations.push_back(std::move(line));
    }
    REQUIRE(violations.size() == r.violations.size());
    const TraceLine& v = violations.front();
    CHECK(*find_key(v, "checker") == r.violations[0].invariant);
    CHECK(*find_key(v, "details") == r.violations[0].message);
    CHECK(std::stoll(*find_key(v, "t")) == r.violations[0].time);
    if (c.at_node) CHECK(*find_key(v, "node") == r.violations[0].node);
    else CHECK(find_key(v, "node") == nullptr);
    Audit audit;
    check_line(doc, s.protocol, v, audit);
    CHECK_MESSAGE(audit.undocumented.empty(), listed(audit.undocumented));
  }
}

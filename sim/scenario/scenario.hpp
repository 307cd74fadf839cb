// A failure scenario, as loaded from YAML and validated.
//
// Everything here has been checked by the loader (scenario_loader.hpp): node
// ids exist, durations are positive where they must be, probabilities lie in
// [0, 1], the fault timeline applies (no restart of a running node, no resume
// of a node that is not paused). The simulator trusts it and never re-checks.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocols/host/time.hpp"

namespace faultline {

// Where a value came from, for error messages and for the reproduce command.
struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown (e.g. a --set override)
  int column = 0;  // 1-based
};

// Latency of one message hop. All parameters are in nanoseconds except the
// dimensionless shapes (sigma, alpha).
struct LatencySpec {
  enum class Kind { kConstant, kUniform, kNormal, kExponential, kLognormal, kPareto };
  Kind kind = Kind::kUniform;
  Duration value = 0;     // constant
  Duration min = 1 * kMillisecond;  // uniform: [min, max]
  Duration max = 5 * kMillisecond;
  Duration mean = 0;      // normal (truncated at zero) and exponential
  Duration stddev = 0;    // normal
  Duration median = 0;    // lognormal: median * e^(sigma Z)
  double sigma = 0.0;     // lognormal
  Duration scale = 0;     // pareto: scale / U^(1/alpha)
  double alpha = 0.0;     // pareto shape, > 0
  Duration offset = 0;    // added to every sample of exponential, lognormal, pareto
};

// Link properties; a LinkOverride sets some of them for a set of links.
struct LinkSpec {
  LatencySpec latency;
  double loss = 0.0;       // probability a message is dropped
  double duplicate = 0.0;  // probability a message is delivered twice
};

// Applies to every link from a node in `from` to a node in `to` (and back, if
// symmetric). Later overrides win over earlier ones.
struct LinkOverride {
  std::vector<NodeId> from;
  std::vector<NodeId> to;
  bool symmetric = true;
  std::optional<LatencySpec> latency;
  std::optional<double> loss;
  std::optional<double> duplicate;
  SourceLocation where;
};

struct NetworkSpec {
  LinkSpec defaults;
  // Per-link FIFO: a message never overtakes an earlier one on the same
  // directed link. Off by default: jitter reorders, as on a real network.
  bool fifo = false;
  std::vector<LinkOverride> overrides;
};

// A latency that some nodes have other than the default: `nodes` get
// `latency` (later overrides win).
struct NodeLatencyOverride {
  std::vector<NodeId> nodes;
  LatencySpec latency;
  SourceLocation where;
};

inline LatencySpec zero_latency() {
  LatencySpec z;
  z.kind = LatencySpec::Kind::kConstant;
  z.value = 0;
  return z;
}

// Durable storage (`disk:`): a sync completes `sync` after it begins, in
// virtual time; what the node sends or replies after a sync leaves when
// it completes. Absent (enabled false): every sync completes at once.
struct DiskSpec {
  bool enabled = false;
  LatencySpec sync = zero_latency();
  std::vector<NodeLatencyOverride> nodes;
};

// Timers (`timers:`): each timer fires late by a draw from `jitter`, from
// the node's own jitter stream. Absent: timers fire on time.
struct TimerSpec {
  bool enabled = false;
  LatencySpec jitter = zero_latency();
  std::vector<NodeLatencyOverride> nodes;
};

// Named groups of nodes a protocol declares for a scenario
// (ProtocolBinding::roles), e.g. "servers" and "agents". Faults and the
// nemesis may name a role where they take node names; the loader replaces
// it by its members. Members sorted, each once; a role may be empty (then
// naming it is an error).
using NodeRoles = std::map<std::string, std::vector<NodeId>, std::less<>>;

// In a fault's node list (crash, pause, isolate, partition groups, one_way
// from/to): the protocol's leader when the fault applies, not a fixed node
// (`leader` in YAML).
inline constexpr NodeId kLeaderTarget = kNoNode - 1;

// One fault at a fixed virtual time.
struct FaultEvent {
  enum class Kind {
    kCrash,      // nodes: lose volatile state and timers; in-flight messages to it dropped
    kRestart,    // nodes: come back with what was synced to durable storage
    kPause,      // nodes: stall (no deliveries, no timers) until resumed
    kResume,     // nodes: handle the backlog
    kPartition,  // groups: no traffic between different groups (nodes in no group form one more)
    kOneWay,     // from -> to cut (from's messages to `to` are lost), the reverse still works
    kIsolate,    // nodes: cut each listed node from every other node, both ways
    kHeal,       // remove every partition, one-way cut and isolation
    kDrift,      // nodes: local clocks run at `drift_ppm` parts per million of real time
    kSlowDisk,   // nodes: syncs begun from now take disk_factor_permille / 1000 times their latency
    // Operator requests, sent to the cluster through the workload's operator
    // client (protocols with membership: raft). nodes: the one server.
    kAddServer,
    kRemoveServer,
    kTransferLeader,
  };
  bool is_admin() const { return kind >= Kind::kAddServer; }
  Kind kind = Kind::kCrash;
  Time at = 0;
  std::vector<NodeId> nodes;               // crash, pause, isolate may hold kLeaderTarget
  std::vector<std::vector<NodeId>> groups;  // partition; one group may hold kLeaderTarget
  NodeId leader_side = 0;                   // partition: > 0 instead of groups: the leader and the
                                            // leader_side - 1 nodes after it by id (wrapping) vs the rest
  std::vector<NodeId> from, to;             // one-way; one side may hold kLeaderTarget
  std::int64_t drift_ppm = 1'000'000;       // drift: 1'050'000 = clock 5% fast
  std::int64_t disk_factor_permille = 1000; // slow_disk: 10'000 = syncs 10x slower; 1000 = normal again
  Duration slow_for = 0;                    // slow_disk as written: how long (0: to the end); the loader
                                            // adds the entry that ends it (factor 1000)
  Duration undo_after = 0;                  // crash / pause `for`: the nodes this fault hit (the leader's
                                            // as resolved) restart / resume this long after (0: never)
  bool aimed_at_leader = false;             // recorded nemesis actions only (RunOptions::nemesis_record):
                                            // `nodes` names the node hit because it led; never read from YAML
  SourceLocation where;
};

// A random fault generator. Every `every` (drawn uniformly in [every_min,
// every_max]) between `start` and `stop`, it injects one fault of its kind and
// undoes it after `recover` (drawn in [recover_min, recover_max]).
struct NemesisSpec {
  enum class Kind {
    kCrash,      // crash a random running node, restart it after `recover`
    kPause,      // pause a random running node, resume it after `recover`
    kPartition,  // split off a random minority, heal after `recover`
    kIsolate,    // isolate one random node, heal after `recover`
  };
  Kind kind = Kind::kCrash;
  Duration every_min = 0, every_max = 0;
  Duration recover_min = 0, recover_max = 0;
  Time start = 0;
  std::optional<Time> stop;  // default: the end of the run
  // At most this many nodes down (crashed or paused) at once because of this
  // nemesis; default: a minority, (nodes - 1) / 2.
  std::optional<std::uint32_t> max_down;
  // crash / pause / isolate: a random running node, or the protocol's
  // current leader (for protocols that have one).
  bool target_leader = false;
  // `target: <role>`: a random running node among the role's members
  // (sorted; never empty); empty: any node.
  std::string target_role;
  std::vector<NodeId> target_nodes;
  SourceLocation where;
};

// Clients issuing requests, for protocols that have clients.
struct WorkloadSpec {
  std::uint32_t clients = 1;
  double rate_per_s = 10.0;            // requests per second, over all clients
  std::uint32_t keys = 8;              // key space
  double read_fraction = 0.5;
  Duration request_timeout = 500 * kMillisecond;  // a client retries elsewhere after this
  // Where an operation's first attempt goes: "leader" (the node that last
  // answered this client) or "random" (any node: clients that read from the
  // nearest replica).
  bool random_target = false;
  Time start = 0;
  std::optional<Time> stop;            // default: the end of the run
  SourceLocation where;
};

// A bound on a metric. Every sample of the metric must lie in [min, max];
// `count_min` / `count_max` bound how many samples there are.
struct Expectation {
  std::string name;    // shown in the summary; defaults to a description of the bound
  std::string metric;
  std::optional<double> min, max;
  std::optional<std::uint64_t> count_min, count_max;
  // A liveness bound (`liveness: true`; swarm mode adds one per run): its
  // failure is progress lost after the faults healed, reported apart from
  // safety (exit code 6 when nothing else failed).
  bool liveness = false;
  SourceLocation where;
};

struct StopSpec {
  // Named conditions the protocol's observer offers (e.g. "all_informed").
  // The run stops when any holds.
  std::vector<std::string> when;
  std::optional<std::uint64_t> max_events;
};

// `expect_failure`: the scenario demonstrates a failure (a livelock, the
// disruption PreVote prevents, a known bug). A run holds when it fails
// exactly as declared: every listed expectation fails, the run breaks one of
// the listed invariants (when any are listed), and nothing else fails.
struct ExpectedFailure {
  std::string reason;                     // why it must fail, in a sentence
  std::vector<std::string> expectations;  // names of `expect` entries (as shown in the summary)
  std::vector<std::string> invariants;    // e.g. election_safety
  SourceLocation where;
};

// One entry of `swarm:` (sim/run/swarm.hpp): a knob swarm mode leaves
// alone (off: the scenario's own value stays) or draws from [lo, hi] only,
// in the knob's units (ns, a count, thousandths; a flag: 0 or 1), inside
// the range the protocol or the simulator declares for it.
struct SwarmNarrowing {
  std::string name;  // e.g. "params.heartbeat_interval", "nemesis.pause"
  bool off = false;
  std::int64_t lo = 0, hi = 0;
  SourceLocation where;
};

struct Scenario {
  std::string path;  // the file it came from
  // Keys set by --set, and the sections a --set created on its way to its
  // key: dotted path -> "path=value", so an error in a value that came from
  // the command line names the override, not a file line.
  std::map<std::string, std::string> overrides;
  std::string name;
  std::string description;
  std::string protocol;  // must name a registered protocol
  // The protocol's own parameters, validated by its binding (it reads them
  // with a YamlSection, so errors carry the file and line).
  YAML::Node params;
  // `nodes: COUNT` gives nodes n0 .. n{COUNT-1}, named on demand (a million
  // strings would cost 32 MB); `nodes: [a, b, c]` lists the names.
  NodeId nodes = 0;
  std::vector<std::string> node_names;  // when listed; ids are indexes into this
  bool generated_names = true;
  NodeRoles roles;  // the protocol's named node groups for this scenario (none for most protocols)
  Duration duration = 10 * kSecond;
  std::uint64_t seed = 1;  // used when --seed is not given
  NetworkSpec network;
  DiskSpec disk;
  TimerSpec timers;
  std::optional<WorkloadSpec> workload;
  std::vector<FaultEvent> faults;  // sorted by time, ties in file order
  std::vector<NemesisSpec> nemesis;
  StopSpec stop;
  std::vector<Expectation> expectations;
  std::optional<ExpectedFailure> expect_failure;
  std::vector<SwarmNarrowing> swarm;  // only `faultline swarm` reads it

  NodeId node_count() const { return node_names.empty() ? nodes : static_cast<NodeId>(node_names.size()); }
  std::string node_name(NodeId id) const { return node_names.empty() ? "n" + std::to_string(id) : node_names[id]; }
};

}  // namespace faultline

// The catalog as keys of Raft's replicated key-value store (protocols/kv), so
// the store, its sessions and the linearizability checker apply unchanged:
//   node/<id>            "registered", "deregistered" (left the pool), or "" (never registered)
//   health/<id>          the node's gossip health (Consul's serfHealth check):
//                        "passing" or "critical" ("" while not registered)
//   service/<id>/<name>  a service the agent runs, registered with the status
//                        of its health check as its anti-entropy last synced
//                        it: "passing" or "critical" ("" not registered). One
//                        key, so a service and its check are registered in
//                        one entry, as Consul's Catalog.Register carries both.
//
// And the leader's reconciliation rule (Consul's leader.go, reconcileMember):
// a member gossip holds alive (or suspect: still a member, SWIM 4.2) is
// registered with health passing; one it holds failed (dead) stays registered
// with health critical, its services kept; one that left is deregistered
// with its services (Consul's deregistration removes a node's services and
// checks with it): each service is removed first, and the node once none is
// left, so the catalog never holds a service of a deregistered node; one it
// has never heard of is left alone. A member this server's gossip has no news
// of in its current life (a restarted server's SWIM starts from the base
// view, "everyone alive", and has no push/pull state sync to correct it; news
// is an alive update, a death or a departure, not a suspicion) is only
// registered if the catalog has never had it: the catalog's critical or
// deregistered entry is better evidence than a blank view. Every write is a
// compare-and-set against the value the leader's store holds, so a write
// replayed (a retry, a new leader redoing the old one's work) finds the
// value changed and does nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/consul/consul_params.hpp"
#include "protocols/gossip/swim_view.hpp"
#include "protocols/kv/kv_client_protocol.hpp"

namespace faultline::consul::catalog {

inline constexpr std::string_view kRegistered = "registered";
inline constexpr std::string_view kDeregistered = "deregistered";
inline constexpr std::string_view kPassing = "passing";
inline constexpr std::string_view kCritical = "critical";

inline std::string node_key(NodeId n) { return "node/" + std::to_string(n); }
inline std::string health_key(NodeId n) { return "health/" + std::to_string(n); }
inline std::string service_key(NodeId n, std::string_view service) {
  std::string key = "service/" + std::to_string(n) + "/";
  key += service;
  return key;
}

// What a catalog key is about: its kind ("node", "health", "service"), its
// node and, for a service, the service's name; nullopt for a key outside
// the catalog (a client's).
struct KeyInfo {
  std::string_view kind;
  NodeId node;
  std::string_view service;  // "service" keys only
};
inline std::optional<KeyInfo> parse_key(std::string_view key) {
  for (std::string_view kind : {std::string_view("node"), std::string_view("health"), std::string_view("service")}) {
    if (key.size() <= kind.size() + 1 || key.substr(0, kind.size()) != kind || key[kind.size()] != '/') continue;
    std::string_view rest = key.substr(kind.size() + 1);
    std::string_view service;
    if (kind == "service") {
      const auto slash = rest.find('/');
      if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return std::nullopt;
      service = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    std::uint64_t id = 0;
    for (char c : rest) {
      if (c < '0' || c > '9') return std::nullopt;
      id = id * 10 + static_cast<std::uint64_t>(c - '0');
      if (id >= kNoNode) return std::nullopt;
    }
    return KeyInfo{kind, static_cast<NodeId>(id), service};
  }
  return std::nullopt;
}

// What the catalog should say of a member gossip holds in `state`; nullopt:
// nothing (a member never heard of).
struct Wanted {
  std::string_view node;
  std::string_view health;
};
inline std::optional<Wanted> wanted(swim::MemberState state, Mutant mutant) {
  switch (state) {
    case swim::MemberState::kAlive:
    case swim::MemberState::kSuspect: return Wanted{kRegistered, kPassing};
    case swim::MemberState::kDead:
      if (mutant == Mutant::kDeregisterFailed) return Wanted{kDeregistered, ""};
      return Wanted{kRegistered, kCritical};
    case swim::MemberState::kLeft: return Wanted{kDeregistered, ""};
    case swim::MemberState::kUnknown: return std::nullopt;
  }
  return std::nullopt;
}

// One write of a reconciliation: cas(key, expected, value), or a plain put
// (`blind`, only the register_twice mutant).
struct Write {
  std::string key;
  std::string expected;
  std::string value;
  bool blind = false;
  bool operator==(const Write&) const = default;
};

// The writes that bring member m's catalog entries to what gossip's `state`
// wants, given `current(key)` (the leader's applied store) and `in_flight(key)`
// (a write to that key not yet answered, the reconciler's or an agent's
// sync: left alone until it is). `heard`: the local gossip has news of m in
// this life (see above). `services`: the services an agent may have
// registered (Params::services).
template <class Current, class InFlight>
std::vector<Write> reconcile_writes(NodeId m, swim::MemberState state, bool heard, Mutant mutant,
                                    const std::vector<std::string>& services, Current&& current, InFlight&& in_flight) {
  std::vector<Write> out;
  const auto want = wanted(state, mutant);
  if (!want) return out;
  if (!heard && mutant != Mutant::kRegisterTwice && !current(node_key(m)).empty()) return out;
  if (want->node == kDeregistered && mutant != Mutant::kKeepServicesOnLeave) {
    // Deregistration removes the node's services first, and the node once
    // none is left or in flight (the answer to each of these writes, and to
    // an agent's, reconciles the member again): the catalog never holds a
    // service of a deregistered node.
    bool pending = false;
    for (const auto& name : services) {
      std::string key = service_key(m, name);
      if (in_flight(key)) {
        pending = true;
        continue;
      }
      std::string now = current(key);
      if (now.empty()) continue;
      out.push_back(Write{std::move(key), std::move(now), "", false});
      pending = true;
    }
    if (pending) return out;
  }
  const std::pair<std::string, std::string_view> targets[] = {{node_key(m), want->node}, {health_key(m), want->health}};
  for (const auto& [key, value] : targets) {
    if (mutant == Mutant::kRegisterTwice) {
      out.push_back(Write{key, {}, std::string(value), true});
      continue;
    }
    std::string now = current(key);
    if (now == value || in_flight(key)) continue;
    out.push_back(Write{key, std::move(now), std::string(value), false});
  }
  return out;
}

}  // namespace faultline::consul::catalog

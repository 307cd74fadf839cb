// The primary-backup binding's protocol struct. It has key-value clients, so
// the simulation runs the workload and checks linearizability; it needs no
// observer of its own.
#pragma once

#include "protocols/primary_backup/primary_backup_node.hpp"
#include "sim/observer_base.hpp"
#include "sim/scenario/scenario.hpp"

namespace faultline {

template <class P>
class Simulation;
struct PrimaryBackupProtocol;

class PrimaryBackupObserver : public ObserverBase {
 public:
  PrimaryBackupObserver(const Scenario&, const primary_backup::Params&, Simulation<PrimaryBackupProtocol>&) {}
};

struct PrimaryBackupProtocol {
  using Node = primary_backup::PrimaryBackupNode;
  using Message = primary_backup::Message;
  using Reply = kv::Reply;
  using Params = primary_backup::Params;
  using Observer = PrimaryBackupObserver;
  static constexpr TimerSlot kTimerSlots = Node::kTimerSlots;
  static std::string_view message_type(const Message& m) { return primary_backup::message_type_name(m); }
  // The message's own fields on its trace lines (docs/trace-format.md).
  template <class F>
  static void message_fields(const Message& m, F&& field) { primary_backup::message_fields(m, field); }
  static std::uint32_t message_bytes(const Message& m) { return primary_backup::message_bytes(m); }
  static Node make_node(NodeId self, NodeId n, const Params& p) { return Node(self, n, p); }
};

}  // namespace faultline

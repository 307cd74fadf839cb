// Binds primary-backup replication (protocols/primary_backup) to the simulator.
#include "sim/binding/binding_support.hpp"
#include "protocols/primary_backup/binding/primary_backup_protocol.hpp"
#include "sim/run/run_protocol.hpp"
#include "sim/scenario/yaml_section.hpp"

namespace faultline {

namespace {

primary_backup::Params read_params(const Scenario& s) {
  primary_backup::Params p;
  YamlSection params = YamlSection::params_of(s);
  p.follower_reads = params.flag("follower_reads", false);
  params.finish();
  if (!s.workload) YamlSection(YAML::Node(), "", s.path, &s.overrides).fail("workload", "primary_backup needs a workload (clients) to do anything");
  return p;
}

}  // namespace

ProtocolBinding primary_backup_binding() {
  ProtocolBinding b;
  b.name = "primary_backup";
  b.summary = "key-value store, fixed primary n0 with asynchronous backups (proves the client workload and checker)";
  b.has_clients = true;
  b.metrics = kv_workload_metric_names();
  b.validate = [](const Scenario& s) { read_params(s); };
  b.run = [](const Scenario& s, const RunOptions& o) {
    return run_protocol<PrimaryBackupProtocol>(s, read_params(s), o);
  };
  return b;
}

}  // namespace faultline

#include "protocols/primary_backup/primary_backup_node.hpp"

#include <string>

#include "protocols/kv/kv_codec.hpp"

namespace faultline::primary_backup {

namespace {
// Log keys sort in index order: "log/" + 20 digits.
std::string log_key(std::uint64_t index) {
  std::string digits = std::to_string(index);
  return "log/" + std::string(20 - digits.size(), '0') + digits;
}
}  // namespace

void PrimaryBackupNode::on_start(HostT& host) {
  // Recover: replay the synced log (the primary's, or a backup's own).
  host.storage().scan("log/", "log0", [&](const std::string&, const std::string& value) {
    if (auto r = kv::decode(value)) {
      store_.apply(*r);
      ++applied_;
    }
  });
  host.emit("recovered", {{"applied", applied_}});
}

void PrimaryBackupNode::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  if (!is_primary()) {
    if (params_.follower_reads && r.kind == kv::OpKind::kGet) {
      // The mutant: a read from this backup's possibly stale copy.
      host.reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kOk, kNoNode, store_.read(r.key), false});
      return;
    }
    host.reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kNotLeader, kPrimary, {}, false});
    return;
  }
  // Write ahead: the request is durable before it is applied or answered.
  const std::uint64_t index = applied_ + 1;
  host.storage().write(log_key(index), kv::encode(r));
  host.storage().sync();
  const kv::Reply reply = store_.apply(r);
  applied_ = index;
  host.reply(client, reply);
  for (NodeId b = 0; b < cluster_size_; ++b)
    if (b != self_) host.send(b, Update{index, r});
}

void PrimaryBackupNode::on_message(HostT& host, NodeId, const Message& m) {
  if (is_primary() || m.index <= applied_) return;
  pending_[m.index] = m.request;
  // Apply in index order; a gap waits for the missing update.
  for (auto it = pending_.begin(); it != pending_.end() && it->first == applied_ + 1; it = pending_.erase(it)) {
    host.storage().write(log_key(it->first), kv::encode(it->second));
    store_.apply(it->second);
    ++applied_;
  }
  host.storage().sync();
}

}  // namespace faultline::primary_backup

// The libraft server's life (init, start, close), its state machine (the
// key-value store behind raft_fsm) and its clients (raft_apply, and the
// operator's raft_add / raft_assign / raft_remove / raft_transfer).
#include <climits>
#include <cstring>

#include "protocols/kv/kv_codec.hpp"
#include "protocols/libraft/libraft_server.hpp"

namespace faultline::libraft {

void install_io_table(raft_io& io, void* impl);  // libraft_io.cpp

namespace {

void silent_emit(raft_tracer*, const char*, int, const char*) {}

unsigned to_msecs(Duration d) { return static_cast<unsigned>(d / kMillisecond); }

// The term of entry `index` in the library's in-memory log (struct raft_log
// is public in raft.h: a circular buffer of entries offset+1 ...), or 0.
raft_term memory_term_at(const raft_log& log, raft_index index) {
  const std::size_t count = log.back >= log.front ? log.back - log.front : log.size - log.front + log.back;
  if (index <= log.offset || index > log.offset + count) return 0;
  return log.entries[(log.front + (index - log.offset - 1)) % log.size].term;
}

}  // namespace

// A client's request in the library's hands: one of raft_apply,
// raft_add+raft_assign, raft_remove or raft_transfer. Freed by its callback.
struct ClientCall {
  enum class Step : std::uint8_t { kApply, kAdd, kAssign, kRemove, kTransfer };
  struct raft_apply apply{};
  struct raft_change change{};
  struct raft_transfer transfer{};
  LibraftServer* server = nullptr;
  ClientId client = 0;
  kv::Request request;
  Step step = Step::kApply;

  // Whether an answer can go out (not while the server is being closed).
  bool can_reply() const { return server->host_ != nullptr && !server->closing_; }
  void reply(kv::Reply::Status status) {
    if (!can_reply()) return;
    const NodeId hint = status == kv::Reply::Status::kNotLeader ? server->leader_hint() : server->self_;
    server->host_->reply(client, kv::Reply{request.client, request.sequence, status, hint, {}, false});
  }
  void reply_applied(const kv::Reply& applied) {
    if (can_reply()) server->host_->reply(client, applied);
  }
  struct raft* library() { return &server->raft_; }
};

namespace {

void on_applied(struct raft_apply* req, int status, void* result) {
  auto* call = static_cast<ClientCall*>(req->data);
  if (call->can_reply()) {
    if (status == 0) {
      call->reply_applied(*static_cast<const kv::Reply*>(result));
    } else {
      // RAFT_LEADERSHIPLOST / RAFT_NOTLEADER: the entry may still commit
      // under a later leader. The outcome is unknown, so the client is told
      // to try the leader again; its retry carries the same sequence and
      // the store's session applies the request at most once.
      call->reply(kv::Reply::Status::kNotLeader);
    }
  }
  delete call;
}

}  // namespace

LibraftServer::LibraftServer(NodeId self, NodeId cluster_size, const Params& params)
    : self_(self), n_(cluster_size), params_(params) {
  for (NodeId i = 0; i < n_; ++i) addresses_.push_back(std::to_string(i + 1));
  tracer_.impl = nullptr;
  tracer_.enabled = false;
  tracer_.emit = silent_emit;
}

LibraftServer::~LibraftServer() {
  if (!initialized_) return;
  host_ = nullptr;
  closing_ = true;
  // raft_close fails the leader's requests (their callbacks free them) and
  // calls io->close, which cancels every pending I/O request; our close
  // callback is synchronous, so everything is freed when this returns.
  raft_close(&raft_, nullptr);
}

template <class Fn>
void LibraftServer::with_host(HostT& host, Fn&& fn) {
  host_ = &host;
  last_time_ms_ = static_cast<raft_time>(host.now() / kMillisecond);
  fn();
  note_changes();
  host_ = nullptr;
}

void LibraftServer::on_start(HostT& host) {
  with_host(host, [&] {
    install_io_table(io_, this);
    fsm_.version = 1;
    fsm_.data = this;
    fsm_.apply = [](raft_fsm* f, const raft_buffer* b, void** r) { return static_cast<LibraftServer*>(f->data)->fsm_apply(b, r); };
    fsm_.snapshot = [](raft_fsm* f, raft_buffer* b[], unsigned* n) { return static_cast<LibraftServer*>(f->data)->fsm_snapshot(b, n); };
    fsm_.restore = [](raft_fsm* f, raft_buffer* b) { return static_cast<LibraftServer*>(f->data)->fsm_restore(b); };
    if (raft_init(&raft_, &io_, &fsm_, self_ + 1, addresses_[self_].c_str()) != 0) {
      unavailable_ = true;
      host.emit("unavailable", {{"cause", raft_errmsg(&raft_)}});
      return;
    }
    initialized_ = true;
    // The process-wide tracer out of the loop (libraft_server.hpp).
    raft_.tracer = &tracer_;
    raft_set_election_timeout(&raft_, to_msecs(params_.election_timeout_min));
    raft_set_heartbeat_timeout(&raft_, to_msecs(params_.heartbeat_interval));
    raft_set_snapshot_threshold(&raft_, params_.snapshot_threshold == 0 ? UINT_MAX : static_cast<unsigned>(params_.snapshot_threshold));
    raft_set_snapshot_trailing(&raft_, static_cast<unsigned>(params_.snapshot_trailing));
    raft_set_pre_vote(&raft_, params_.pre_vote);
    const NodeId members = params_.initial_members == 0 ? n_ : params_.initial_members;
    if (self_ < members && !host.storage().read("libraft/term")) {
      raft_configuration conf;
      raft_configuration_init(&conf);
      for (NodeId i = 0; i < members; ++i) raft_configuration_add(&conf, i + 1, addresses_[i].c_str(), RAFT_VOTER);
      raft_bootstrap(&raft_, &conf);
      raft_configuration_close(&conf);
    }
    if (const int rv = raft_start(&raft_); rv != 0) {
      unavailable_ = true;
      host.emit("unavailable", {{"cause", raft_errmsg(&raft_)}});
      return;
    }
    started_ = true;
    host.emit("start", {{"term", static_cast<std::uint64_t>(raft_.current_term)}, {"log", static_cast<std::uint64_t>(log_last())}});
  });
}

void LibraftServer::on_message(HostT& host, NodeId from, const Message& m) {
  with_host(host, [&] { deliver(from, m); });
}

void LibraftServer::on_timer(HostT& host, TimerSlot slot) {
  with_host(host, [&] {
    if (slot == LibraftNode::kIoTimer) return run_completions();
    if (!started_) return;
    host.set_timer(LibraftNode::kTickTimer, tick_interval_);
    tick_cb_(&io_);
  });
}

NodeId LibraftServer::leader_hint() {
  if (!started_) return kNoNode;
  raft_id id = 0;
  const char* address = nullptr;
  raft_leader(&raft_, &id, &address);
  return id >= 1 && id <= n_ ? static_cast<NodeId>(id - 1) : kNoNode;
}

void LibraftServer::reply_not_leader(ClientId client, const kv::Request& r) {
  host_->reply(client, kv::Reply{r.client, r.sequence, kv::Reply::Status::kNotLeader, leader_hint(), {}, false});
}

void LibraftServer::on_client_request(HostT& host, ClientId client, const kv::Request& r) {
  with_host(host, [&] {
    if (!started_ || raft_state(&raft_) != RAFT_LEADER) return reply_not_leader(client, r);
    if (kv::is_admin(r.kind)) return on_admin_request(client, r);
    auto* call = new ClientCall;
    call->server = this;
    call->client = client;
    call->request = r;
    call->apply.data = call;
    const std::string command = kv::encode(r);
    raft_buffer buf;
    buf.len = command.size();
    buf.base = raft_malloc(buf.len);
    std::memcpy(buf.base, command.data(), buf.len);
    if (const int rv = raft_apply(&raft_, &call->apply, &buf, 1, on_applied); rv != 0) {
      // Refused before the entry entered the log (a leadership transfer in
      // progress): the buffer is still ours.
      if (rv == RAFT_NOTLEADER) raft_free(buf.base);
      delete call;
      reply_not_leader(client, r);
    }
  });
}

// ---- Operator requests (libraft's membership API) ----

namespace {

const raft_server* find_server(const raft_configuration& c, raft_id id) {
  for (unsigned i = 0; i < c.n; ++i)
    if (c.servers[i].id == id) return &c.servers[i];
  return nullptr;
}

void on_changed(struct raft_change* req, int status);

// Starts the call's next library step; false if the library refused it
// (then the call has answered and must be freed).
bool start_step(struct raft* r, ClientCall* call, int& rv) {
  const raft_id id = call->request.server + 1;
  call->change.data = call;
  switch (call->step) {
    case ClientCall::Step::kAdd: rv = raft_add(r, &call->change, id, std::to_string(id).c_str(), on_changed); break;
    case ClientCall::Step::kAssign: rv = raft_assign(r, &call->change, id, RAFT_VOTER, on_changed); break;
    case ClientCall::Step::kRemove: rv = raft_remove(r, &call->change, id, on_changed); break;
    default: rv = RAFT_INVALID; break;
  }
  if (rv == 0) return true;
  using Status = kv::Reply::Status;
  call->reply(rv == RAFT_NOTLEADER ? Status::kNotLeader : rv == RAFT_CANTCHANGE ? Status::kRetryLater : Status::kOk);
  return false;
}

void on_changed(struct raft_change* req, int status) {
  auto* call = static_cast<ClientCall*>(req->data);
  if (status != 0) {
    call->reply(kv::Reply::Status::kNotLeader);  // leadership lost: outcome unknown, the operator retries
    delete call;
    return;
  }
  if (call->step == ClientCall::Step::kAdd && call->can_reply()) {
    // Added as a spare; now promote it to voter (the library catches it up first).
    call->step = ClientCall::Step::kAssign;
    int rv = 0;
    if (start_step(call->library(), call, rv)) return;
    delete call;
    return;
  }
  call->reply(kv::Reply::Status::kOk);
  delete call;
}

void on_transferred(struct raft_transfer* req) { delete static_cast<ClientCall*>(req->data); }

}  // namespace

void LibraftServer::on_admin_request(ClientId client, const kv::Request& r) {
  const kv::Reply done{r.client, r.sequence, kv::Reply::Status::kOk, self_, {}, false};
  if (r.server >= n_) return host_->reply(client, done);  // no such server: nothing to do
  const raft_id id = r.server + 1;
  auto* call = new ClientCall;
  call->server = this;
  call->client = client;
  call->request = r;
  if (r.kind == kv::OpKind::kTransferLeader) {
    if (r.server == self_ || find_server(raft_.configuration, id) == nullptr) {
      delete call;
      return host_->reply(client, done);
    }
    call->step = ClientCall::Step::kTransfer;
    call->transfer.data = call;
    const int rv = raft_transfer(&raft_, &call->transfer, id, on_transferred);
    if (rv != 0) {
      delete call;
      return host_->reply(client, kv::Reply{r.client, r.sequence,
                                            rv == RAFT_NOTLEADER ? kv::Reply::Status::kNotLeader : kv::Reply::Status::kRetryLater,
                                            leader_hint(), {}, false});
    }
    host_->emit("transfer", {{"to", r.server}, {"term", static_cast<std::uint64_t>(raft_.current_term)}});
    return host_->reply(client, done);
  }
  const raft_server* present = find_server(raft_.configuration, id);
  if (r.kind == kv::OpKind::kAddServer) {
    if (present != nullptr && present->role == RAFT_VOTER) {
      delete call;
      return host_->reply(client, done);
    }
    call->step = present != nullptr ? ClientCall::Step::kAssign : ClientCall::Step::kAdd;
  } else {
    if (present == nullptr) {
      delete call;
      return host_->reply(client, done);
    }
    call->step = ClientCall::Step::kRemove;
  }
  int rv = 0;
  if (!start_step(&raft_, call, rv)) delete call;
  else host_->emit("config_change", {{"server", r.server}, {"add", r.kind == kv::OpKind::kAddServer ? 1 : 0}});
}

// ---- The state machine (raft_fsm) ----

int LibraftServer::fsm_apply(const raft_buffer* buf, void** result) {
  const auto request = kv::decode(std::string(static_cast<const char*>(buf->base), buf->len));
  if (!request) return RAFT_MALFORMED;
  last_reply_ = store_.apply(*request);
  *result = &last_reply_;
  // libraft applies entry last_applied+1 and advances last_applied after.
  const raft_index index = raft_.last_applied + 1;
  const AppliedCommand applied{index, memory_term_at(raft_.log, index), kv::digest(*request)};
  ++applied_count_;
  applied_.push_back(applied);
  if (applied_.size() > kKeepApplied) applied_.pop_front();
  if (host_ != nullptr) host_->emit("apply", {{"index", static_cast<std::uint64_t>(applied.index)}, {"term", static_cast<std::uint64_t>(applied.term)}, {"digest", static_cast<std::uint64_t>(applied.digest)}});
  return 0;
}

int LibraftServer::fsm_snapshot(raft_buffer* bufs[], unsigned* n_bufs) {
  const std::string state = store_.snapshot();
  *bufs = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
  (*bufs)[0].len = state.size();
  (*bufs)[0].base = raft_malloc(state.empty() ? 1 : state.size());
  std::memcpy((*bufs)[0].base, state.data(), state.size());
  *n_bufs = 1;
  if (host_ != nullptr) host_->emit("snapshot", {{"index", static_cast<std::uint64_t>(raft_.last_applied)}});
  return 0;
}

int LibraftServer::fsm_restore(raft_buffer* buf) {
  store_ = kv::KvStore::restore(std::string(static_cast<const char*>(buf->base), buf->len));
  raft_free(buf->base);
  if (host_ != nullptr) host_->emit("snapshot_installed", {});  // at start from storage, or from the leader
  return 0;
}

// ---- Reporting ----

void LibraftServer::note_changes() {
  if (!started_) return;
  const int state = raft_state(&raft_);
  const raft_term term = raft_.current_term;
  if (state == last_state_ && term == last_term_) return;
  last_state_ = state;
  last_term_ = term;
  // The lane a viewer draws (docs/trace-format.md, "Lanes"): the kind of the
  // change, then `role` carrying the whole state.
  const auto lane = [&](const char* role) {
    host_->emit(role, {{"term", static_cast<std::uint64_t>(term)}});
    host_->emit("role", {{"role", role}, {"term", static_cast<std::uint64_t>(term)}});
  };
  switch (state) {
    case RAFT_LEADER: lane("leader"); break;
    case RAFT_CANDIDATE: lane("candidate"); break;
    case RAFT_FOLLOWER: lane("follower"); break;
    default:
      // Not closing, yet unavailable: the library gave up after an I/O error.
      unavailable_ = true;
      host_->emit("unavailable", {{"term", static_cast<std::uint64_t>(term)}, {"cause", raft_errmsg(&raft_)}});
      break;
  }
}

const AppliedCommand* LibraftServer::applied(std::uint64_t number) const {
  if (number == 0 || number > applied_count_ || applied_count_ - number >= applied_.size()) return nullptr;
  return &applied_[applied_.size() - (applied_count_ - number) - 1];
}

}  // namespace faultline::libraft

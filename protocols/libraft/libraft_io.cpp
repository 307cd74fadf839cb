// struct raft_io on faultline's Host (see libraft_server.hpp for the rules:
// completions never re-entrant, what is synced when, the process-wide state).
//
// Storage layout on the node's DurableStore:
//   libraft/term, libraft/vote   decimal; raft_id 0 is "no vote"
//   libraft/snapshot             the last snapshot put (index, term,
//                                configuration, data), see encode_snapshot
//   the record log               position i holds the entry of raft index i
//                                (8-byte term, 2-byte type, data)
#include <cstring>

#include "protocols/kv/kv_codec.hpp"
#include "protocols/libraft/libraft_server.hpp"

namespace faultline::libraft {

namespace {

LibraftServer& server_of(raft_io* io) { return *static_cast<LibraftServer*>(io->impl); }

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u64(std::string_view in, std::size_t& at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  at += 8;
  return v;
}

std::uint64_t read_number(const DurableStore& store, std::string_view key) {
  const auto v = store.read(key);
  return v ? std::stoull(*v) : 0;
}

// Memory the library will own and free with raft_free (never 0 bytes, so
// a null base always means "none").
void* copy_to_raft_heap(const void* data, std::size_t len) {
  void* p = raft_malloc(len == 0 ? 1 : len);
  if (len != 0) std::memcpy(p, data, len);
  return p;
}

struct StoredSnapshot {
  raft_index index = 0, conf_index = 0;
  raft_term term = 0;
  std::vector<WireServer> conf;
  std::string data;
};

std::string encode_snapshot(const raft_snapshot& s) {
  std::string out;
  put_u64(out, s.index);
  put_u64(out, s.term);
  put_u64(out, s.configuration_index);
  put_u64(out, s.configuration.n);
  for (unsigned i = 0; i < s.configuration.n; ++i) {
    put_u64(out, s.configuration.servers[i].id);
    put_u64(out, static_cast<std::uint64_t>(s.configuration.servers[i].role));
  }
  for (unsigned i = 0; i < s.n_bufs; ++i) out.append(static_cast<const char*>(s.bufs[i].base), s.bufs[i].len);
  return out;
}

StoredSnapshot decode_snapshot(std::string_view in) {
  StoredSnapshot s;
  std::size_t at = 0;
  s.index = get_u64(in, at);
  s.term = get_u64(in, at);
  s.conf_index = get_u64(in, at);
  const std::uint64_t n = get_u64(in, at);
  for (std::uint64_t i = 0; i < n; ++i) {
    WireServer w;
    w.id = get_u64(in, at);
    w.role = static_cast<int>(get_u64(in, at));
    s.conf.push_back(w);
  }
  s.data = std::string(in.substr(at));
  return s;
}

void build_configuration(raft_configuration& conf, const std::vector<WireServer>& servers,
                         const std::vector<std::string>& addresses) {
  raft_configuration_init(&conf);
  for (const auto& w : servers) {
    const std::string address = w.id >= 1 && w.id <= addresses.size() ? addresses[w.id - 1] : std::to_string(w.id);
    raft_configuration_add(&conf, w.id, address.c_str(), w.role);
  }
}

// A raft_snapshot the library owns (raft_malloc throughout).
raft_snapshot* to_raft_snapshot(const StoredSnapshot& s, const std::vector<std::string>& addresses) {
  auto* out = static_cast<raft_snapshot*>(raft_calloc(1, sizeof(raft_snapshot)));
  out->index = s.index;
  out->term = s.term;
  out->configuration_index = s.conf_index;
  build_configuration(out->configuration, s.conf, addresses);
  out->bufs = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
  out->bufs[0].base = copy_to_raft_heap(s.data.data(), s.data.size());
  out->bufs[0].len = s.data.size();
  out->n_bufs = 1;
  return out;
}

std::string encode_entry(raft_term term, unsigned short type, const void* data, std::size_t len) {
  std::string record;
  record.reserve(10 + len);
  put_u64(record, term);
  record.push_back(static_cast<char>(type & 0xff));
  record.push_back(static_cast<char>(type >> 8));
  record.append(static_cast<const char*>(data), len);
  return record;
}

// Equal commands, equal digests; a barrier is a no-op (0), a configuration 1
// (kv::digest is never below 2^40).
std::uint64_t digest_of(unsigned short type, const void* data, std::size_t len) {
  if (type == RAFT_BARRIER) return 0;
  if (type == RAFT_CHANGE) return 1;
  const auto request = kv::decode(std::string(static_cast<const char*>(data), len));
  return request ? kv::digest(*request) : 2;
}

}  // namespace

// ---- The raft_io table: trampolines to the server ----

namespace io_table {
int init(raft_io*, raft_id, const char*) { return 0; }
void close(raft_io* io, raft_io_close_cb cb) { server_of(io).io_close(cb); }
int load(raft_io* io, raft_term* term, raft_id* vote, raft_snapshot** snapshot, raft_index* start, raft_entry** entries,
         size_t* n) {
  return server_of(io).io_load(term, vote, snapshot, start, entries, n);
}
int start(raft_io* io, unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv) {
  return server_of(io).io_start(msecs, tick, recv);
}
int bootstrap(raft_io* io, const raft_configuration* conf) { return server_of(io).io_bootstrap(conf); }
int recover(raft_io*, const raft_configuration*) { return RAFT_IOERR; }  // not offered: no operator recovery
int set_term(raft_io* io, raft_term term) { return server_of(io).io_set_term(term); }
int set_vote(raft_io* io, raft_id id) { return server_of(io).io_set_vote(id); }
int send(raft_io* io, raft_io_send* req, const raft_message* m, raft_io_send_cb cb) {
  return server_of(io).io_send(req, m, cb);
}
int append(raft_io* io, raft_io_append* req, const raft_entry entries[], unsigned n, raft_io_append_cb cb) {
  return server_of(io).io_append(req, entries, n, cb);
}
int truncate(raft_io* io, raft_index index) { return server_of(io).io_truncate(index); }
int snapshot_put(raft_io* io, unsigned trailing, raft_io_snapshot_put* req, const raft_snapshot* s,
                 raft_io_snapshot_put_cb cb) {
  return server_of(io).io_snapshot_put(trailing, req, s, cb);
}
int snapshot_get(raft_io* io, raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb) {
  return server_of(io).io_snapshot_get(req, cb);
}
raft_time time(raft_io* io) { return server_of(io).io_time(); }
int random(raft_io* io, int min, int max) { return server_of(io).io_random(min, max); }
}  // namespace io_table

void install_io_table(raft_io& io, void* impl) {
  io.version = 1;  // no async_work: snapshots are taken synchronously
  io.impl = impl;
  io.init = io_table::init;
  io.close = io_table::close;
  io.load = io_table::load;
  io.start = io_table::start;
  io.bootstrap = io_table::bootstrap;
  io.recover = io_table::recover;
  io.set_term = io_table::set_term;
  io.set_vote = io_table::set_vote;
  io.send = io_table::send;
  io.append = io_table::append;
  io.truncate = io_table::truncate;
  io.snapshot_put = io_table::snapshot_put;
  io.snapshot_get = io_table::snapshot_get;
  io.time = io_table::time;
  io.random = io_table::random;
}

// ---- Completions ----

void LibraftServer::defer(std::function<void(int)> completion) {
  completions_.push_back(std::move(completion));
  if (!io_timer_armed_ && host_ != nullptr && !closing_) {
    host_->set_timer(LibraftNode::kIoTimer, 0);
    io_timer_armed_ = true;
  }
}

void LibraftServer::run_completions() {
  io_timer_armed_ = false;
  // The writes behind these completions become durable first (fsync, then
  // the callback, as raft_uv does).
  if (unsynced_) host_->storage().sync();
  unsynced_ = false;
  std::deque<std::function<void(int)>> now;
  now.swap(completions_);
  for (auto& c : now) c(0);
}

// ---- Lifecycle ----

int LibraftServer::io_start(unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv) {
  tick_cb_ = tick;
  recv_cb_ = recv;
  tick_interval_ = static_cast<Duration>(msecs) * kMillisecond;
  host_->set_timer(LibraftNode::kTickTimer, tick_interval_);
  return 0;
}

void LibraftServer::io_close(raft_io_close_cb cb) {
  // Nothing is written any more; every pending request is answered
  // RAFT_CANCELED, so the library frees what it allocated for it.
  closing_ = true;
  while (!completions_.empty()) {
    auto c = std::move(completions_.front());
    completions_.pop_front();
    c(RAFT_CANCELED);
  }
  if (cb != nullptr) cb(&io_);
}

int LibraftServer::io_load(raft_term* term, raft_id* voted_for, raft_snapshot** snapshot, raft_index* start_index,
                           raft_entry** entries, size_t* n_entries) {
  DurableStore& store = host_->storage();
  *term = read_number(store, "libraft/term");
  *voted_for = read_number(store, "libraft/vote");
  *snapshot = nullptr;
  log_base_term_ = 0;
  if (const auto s = store.read("libraft/snapshot")) {
    const StoredSnapshot decoded = decode_snapshot(*s);
    *snapshot = to_raft_snapshot(decoded, addresses_);
    if (store.log_end() <= decoded.index + 1) log_base_term_ = decoded.term;
  }
  const std::uint64_t begin = std::max<std::uint64_t>(store.log_begin(), 1);
  const std::uint64_t end = std::max(store.log_end(), begin);
  *start_index = begin;
  *n_entries = end - begin;
  *entries = nullptr;
  log_base_ = begin - 1;
  shadow_.clear();
  if (end == begin) return 0;
  std::size_t bytes = 0;
  for (std::uint64_t p = begin; p < end; ++p) bytes += store.log_record(p).size() - 10;
  auto* array = static_cast<raft_entry*>(raft_calloc(end - begin, sizeof(raft_entry)));
  auto* batch = static_cast<char*>(raft_malloc(bytes == 0 ? 1 : bytes));
  std::size_t at = 0;
  for (std::uint64_t p = begin; p < end; ++p) {
    const std::string_view record = store.log_record(p);
    std::size_t pos = 0;
    raft_entry& e = array[p - begin];
    e.term = get_u64(record, pos);
    e.type = static_cast<unsigned short>(static_cast<unsigned char>(record[8]) |
                                         (static_cast<unsigned char>(record[9]) << 8));
    e.buf.len = record.size() - 10;
    e.buf.base = batch + at;
    std::memcpy(batch + at, record.data() + 10, e.buf.len);
    at += e.buf.len;
    e.batch = batch;
    shadow_.push_back({e.term, digest_of(e.type, e.buf.base, e.buf.len)});
  }
  *entries = array;
  return 0;
}

int LibraftServer::io_bootstrap(const raft_configuration* conf) {
  DurableStore& store = host_->storage();
  if (store.read("libraft/term")) return RAFT_CANTBOOTSTRAP;
  raft_buffer buf{};
  if (int rv = raft_configuration_encode(conf, &buf); rv != 0) return rv;
  if (store.log_begin() == 0 && store.log_end() == 0) store.log_drop_before(1);
  store.log_append(encode_entry(1, RAFT_CHANGE, buf.base, buf.len));
  shadow_append(1, RAFT_CHANGE, buf.base, buf.len);
  raft_free(buf.base);
  store.write("libraft/term", "1");
  store.write("libraft/vote", "0");
  store.sync();
  return 0;
}

// ---- Term and vote: durable before they return ----

int LibraftServer::io_set_term(raft_term term) {
  DurableStore& store = host_->storage();
  store.write("libraft/term", std::to_string(term));
  store.write("libraft/vote", "0");
  store.sync();
  unsynced_ = false;
  return 0;
}

int LibraftServer::io_set_vote(raft_id id) {
  DurableStore& store = host_->storage();
  store.write("libraft/vote", std::to_string(id));
  store.sync();
  unsynced_ = false;
  return 0;
}

// ---- The log ----

void LibraftServer::shadow_append(raft_term term, unsigned short type, const void* data, std::size_t len) {
  shadow_.push_back({term, digest_of(type, data, len)});
}

int LibraftServer::io_append(raft_io_append* req, const raft_entry entries[], unsigned n, raft_io_append_cb cb) {
  DurableStore& store = host_->storage();
  if (store.log_begin() == 0 && store.log_end() == 0) store.log_drop_before(1);
  for (unsigned i = 0; i < n; ++i) {
    store.log_append(encode_entry(entries[i].term, entries[i].type, entries[i].buf.base, entries[i].buf.len));
    shadow_append(entries[i].term, entries[i].type, entries[i].buf.base, entries[i].buf.len);
  }
  unsynced_ = true;
  req->cb = cb;
  defer([req, cb](int status) {
    if (cb != nullptr) cb(req, status);
  });
  return 0;
}

int LibraftServer::io_truncate(raft_index index) {
  // Drops entries index and later; durable with the next sync (a crash
  // before it keeps them, which a later append would have overwritten).
  DurableStore& store = host_->storage();
  const std::uint64_t end = std::max<std::uint64_t>(index, store.log_begin());
  if (end < store.log_end()) store.log_truncate(end);
  if (index <= log_base_) shadow_.clear();
  else if (index - log_base_ - 1 < shadow_.size()) shadow_.resize(index - log_base_ - 1);
  unsynced_ = true;
  return 0;
}

// ---- Snapshots ----

void LibraftServer::write_snapshot(const raft_snapshot& s) { host_->storage().write("libraft/snapshot", encode_snapshot(s)); }

int LibraftServer::io_snapshot_put(unsigned trailing, raft_io_snapshot_put* req, const raft_snapshot* snapshot,
                                   raft_io_snapshot_put_cb cb) {
  DurableStore& store = host_->storage();
  write_snapshot(*snapshot);
  if (trailing == 0) {
    // An installed snapshot replaces the whole log.
    if (store.log_end() > store.log_begin()) store.log_truncate(store.log_begin());
    store.log_drop_before(snapshot->index + 1);
    shadow_.clear();
    log_base_ = snapshot->index;
    log_base_term_ = snapshot->term;
  } else if (snapshot->index > trailing) {
    // Compaction keeps `trailing` entries before the snapshot's index.
    const raft_index keep_from = snapshot->index - trailing + 1;
    if (keep_from > store.log_begin() && keep_from <= store.log_end()) store.log_drop_before(keep_from);
    while (log_base_ + 1 < keep_from && !shadow_.empty()) {
      log_base_term_ = shadow_.front().term;
      shadow_.pop_front();
      ++log_base_;
    }
  }
  unsynced_ = true;
  req->cb = cb;
  defer([req, cb](int status) {
    if (cb != nullptr) cb(req, status);
  });
  return 0;
}

int LibraftServer::io_snapshot_get(raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb) {
  auto stored = host_->storage().read("libraft/snapshot");
  req->cb = cb;
  defer([this, req, cb, stored = std::move(stored)](int status) {
    if (cb == nullptr) return;
    if (status != 0 || !stored) return cb(req, nullptr, status != 0 ? status : RAFT_NOTFOUND);
    cb(req, to_raft_snapshot(decode_snapshot(*stored), addresses_), 0);
  });
  return 0;
}

// ---- Network ----

int LibraftServer::io_send(raft_io_send* req, const raft_message* message, raft_io_send_cb cb) {
  req->cb = cb;
  const raft_id to = message->server_id;
  if (host_ == nullptr || to < 1 || to > n_) {
    defer([req, cb](int) {
      if (cb != nullptr) cb(req, RAFT_NOCONNECTION);
    });
    return 0;
  }
  // A deep copy: the network may hold it, drop it or deliver it twice, long
  // after the library reuses the memory it sent from.
  Message m;
  m.header = *message;
  m.header.server_address = nullptr;
  if (message->type == RAFT_IO_APPEND_ENTRIES) {
    const auto& a = message->append_entries;
    m.entries.reserve(a.n_entries);
    for (unsigned i = 0; i < a.n_entries; ++i)
      m.entries.push_back({a.entries[i].term, a.entries[i].type,
                           std::string(static_cast<const char*>(a.entries[i].buf.base), a.entries[i].buf.len)});
    m.header.append_entries.entries = nullptr;
  } else if (message->type == RAFT_IO_INSTALL_SNAPSHOT) {
    const auto& s = message->install_snapshot;
    for (unsigned i = 0; i < s.conf.n; ++i) m.conf.push_back({s.conf.servers[i].id, s.conf.servers[i].role});
    m.snapshot_data.assign(static_cast<const char*>(s.data.base), s.data.len);
    m.header.install_snapshot.conf = {nullptr, 0};
    m.header.install_snapshot.data = {nullptr, 0};
  }
  host_->send(static_cast<NodeId>(to - 1), std::move(m));
  // The send callback: complete (the copy is made), but never re-entrant.
  // (A null callback means the library does not wait for it; the request
  // is never touched again then.)
  defer([req, cb](int status) {
    if (cb != nullptr) cb(req, status);
  });
  return 0;
}

void LibraftServer::deliver(NodeId from, const Message& m) {
  if (recv_cb_ == nullptr || closing_) return;
  raft_message msg = m.header;
  msg.server_id = from + 1;
  msg.server_address = addresses_[from].c_str();
  if (m.header.type == RAFT_IO_APPEND_ENTRIES) {
    // As raft_uv hands them over: one array and one batch, both the
    // library's to free.
    auto& a = msg.append_entries;
    a.n_entries = static_cast<unsigned>(m.entries.size());
    a.entries = nullptr;
    if (!m.entries.empty()) {
      std::size_t bytes = 0;
      for (const auto& e : m.entries) bytes += e.data.size();
      a.entries = static_cast<raft_entry*>(raft_calloc(m.entries.size(), sizeof(raft_entry)));
      auto* batch = static_cast<char*>(raft_malloc(bytes == 0 ? 1 : bytes));
      std::size_t at = 0;
      for (std::size_t i = 0; i < m.entries.size(); ++i) {
        raft_entry& e = a.entries[i];
        e.term = m.entries[i].term;
        e.type = m.entries[i].type;
        e.buf.base = batch + at;
        e.buf.len = m.entries[i].data.size();
        std::memcpy(batch + at, m.entries[i].data.data(), e.buf.len);
        at += e.buf.len;
        e.batch = batch;
      }
    }
  } else if (m.header.type == RAFT_IO_INSTALL_SNAPSHOT) {
    auto& s = msg.install_snapshot;
    build_configuration(s.conf, m.conf, addresses_);
    s.data.base = copy_to_raft_heap(m.snapshot_data.data(), m.snapshot_data.size());
    s.data.len = m.snapshot_data.size();
  }
  recv_cb_(&io_, &msg);
}

// ---- Clock and randomness: the node's own ----

raft_time LibraftServer::io_time() const { return last_time_ms_; }

int LibraftServer::io_random(int min, int max) {
  if (host_ == nullptr || max <= min) return min;
  // The election timeout (the only draw libraft 0.15 makes): the scenario's
  // range, inside the [T, 2T] the library asks for (libraft_params.hpp).
  const int lo = static_cast<int>(params_.election_timeout_min / kMillisecond);
  const int hi = static_cast<int>(params_.election_timeout_max / kMillisecond);
  if (min == lo && lo <= hi && hi <= max) return static_cast<int>(host_->rng().between(lo, hi));
  return static_cast<int>(host_->rng().between(min, max));
}

}  // namespace faultline::libraft

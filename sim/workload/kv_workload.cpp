#include "sim/workload/kv_workload.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/network/latency_sampler.hpp"
#include "sim/run/sweep.hpp"

namespace faultline {

namespace {

// The client operations' trace texts: the events' kinds and the outcomes.
constexpr TraceText kInvoke = "invoke", kComplete = "complete";
constexpr TraceText kOk = "ok", kFail = "fail", kUnknown = "unknown";

}  // namespace

KvWorkload::KvWorkload(const WorkloadSpec& spec, const LatencySpec& latency, NodeId nodes, Time run_end,
                       std::uint64_t seed, Hooks hooks)
    : spec_(spec),
      latency_(latency),
      nodes_(nodes),
      stop_(spec.stop ? std::min(*spec.stop, run_end) : run_end),
      rng_(seed),
      read_(Probability::of(spec.read_fraction)),
      hooks_(hooks),
      clients_(spec.clients),
      // The history's size is about rate x duration: reserve it (up to a few
      // million operations), so a long run does not copy it as it grows.
      history_(std::clamp<std::uint32_t>(spec.keys, 1, kKeysKeptApart),
               stop_ > spec.start ? static_cast<std::size_t>(std::min(spec.rate_per_s * static_cast<double>(stop_ - spec.start) /
                                                                           1e9 * 1.05 + spec.clients, 8e6) * 1.1)
                                  : 0),
      // The same expression as when it was computed per think: the same double.
      think_mean_ns_(1e9 * static_cast<double>(spec.clients) / spec.rate_per_s) {
  // Key names are made once (for key spaces of a size clients can cover).
  for (std::uint32_t k = 0; k < std::min<std::uint32_t>(spec_.keys, kKeysKeptApart); ++k)
    key_names_.push_back(kv_key_name(k));
  // And their trace texts ("k65535" is 6 bytes), which view key_names_'s
  // strings: it does not change from here on.
  if (hooks_.trace != nullptr) {
    key_texts_.reserve(key_names_.size());
    for (const std::string& name : key_names_) key_texts_.emplace_back(std::string_view(name));
    // A client's operations (get, put, append, cas: the first four kinds), named as kv::op_name names them.
    for (int kind = 0; kind < kClientOpKinds; ++kind) op_texts_.emplace_back(kv::op_name(static_cast<kv::OpKind>(kind)));
  }
  for (auto& c : clients_) {
    c.last_seen.assign(spec_.keys, 0);
    c.target = static_cast<NodeId>(rng_.below(nodes_));
  }
}

Duration KvWorkload::latency() { return sample_latency(latency_, rng_); }

NodeId KvWorkload::other_node(NodeId not_this) {
  if (nodes_ < 2) return 0;
  auto n = static_cast<NodeId>(rng_.below(nodes_ - 1));
  return n >= not_this ? n + 1 : n;
}

void KvWorkload::start() {
  for (ClientId c = 0; c < spec_.clients; ++c) think(c, spec_.start);
}

void KvWorkload::think(ClientId c, Time now) {
  // Each client offers rate / clients requests per second.
  if (is_operator(c)) return;  // an operator client does one request
  const Time at = now + static_cast<Duration>(rng_.exponential(think_mean_ns_));
  if (at < stop_) schedule(at, token(Wake::kThink, c));
}

void KvWorkload::issue(ClientId c, Time now) {
  Client& client = clients_[c];
  // The new request is written over the last one, every field as a new
  // request has it, so its strings keep their storage (a late copy of an
  // earlier attempt delivers the request the client holds then, as before).
  kv::Request& r = client.request;
  r.client = c;
  r.sequence = ++client.sequence;
  r.server = kNoNode;
  const auto key_index = static_cast<std::uint32_t>(rng_.below(spec_.keys));
  if (key_index < key_names_.size()) r.key = key_names_[key_index];
  else r.key = kv_key_name(key_index);
  r.value.clear();
  r.expected.clear();
  const bool read = read_.draw(rng_);
  if (read) {
    r.kind = kv::OpKind::kGet;
  } else {
    const auto pick = rng_.below(4);
    r.kind = pick < 2 ? kv::OpKind::kPut : pick == 2 ? kv::OpKind::kAppend : kv::OpKind::kCas;
    // "client.sequence": unique, so a read tells which write it saw.
    append_written_value(r.value, c, r.sequence);
    if (r.kind == kv::OpKind::kCas) {
      const std::uint64_t seen = client.last_seen[key_index];
      if (seen & 1) append_written_value(r.expected, c, seen >> 1);
      else r.expected.assign(history_.text(static_cast<KvTextPool::Id>(seen >> 1)));
    }
  }
  if (r.sequence > KvRecord::kMaxSequence)
    throw std::length_error(fmt::format("key-value workload: client {} issued more than {} operations", c,
                                        KvRecord::kMaxSequence));
  KvRecord op;
  op.client = c;
  op.set(static_cast<KvOperation::Kind>(r.kind), r.sequence);
  op.key = key_index;
  if (r.kind == kv::OpKind::kCas) op.text = history_.add_text(r.expected);
  op.invoked = now;
  trace_invoke(now, r, key_index);
  client.history_place = history_.invoke(op);
  client.busy = true;
  client.attempt = 0;
  send_attempt(c, now, spec_.random_target ? static_cast<NodeId>(rng_.below(nodes_)) : client.target);
}

void KvWorkload::send_attempt(ClientId c, Time now, NodeId target) {
  Client& client = clients_[c];
  ++client.attempt;
  client.target = target;
  // The request travels to the node; the timeout runs from now.
  schedule(now + latency(), token(Wake::kArrive, c, target));
  // The timeout names the operation (low bits of its sequence) and the
  // attempt, so a stale timeout of an earlier operation is not taken for one
  // of this operation's attempt with the same number.
  schedule(now + spec_.request_timeout, token(Wake::kTimeout, c, timeout_tag(client.sequence, client.attempt)));
}

void KvWorkload::on_event(Time now, std::uint64_t t) {
  const auto wake = static_cast<Wake>(t & 7);
  const std::uint64_t index = t >> 32;
  const std::uint64_t extra = (t >> 3) & 0x1FFFFFFF;
  switch (wake) {
    case Wake::kThink:
      issue(static_cast<ClientId>(index), now);
      break;
    case Wake::kArrive: {
      // Delivered whatever became of the attempt: a late copy of a request
      // still reaches the node, as on a real network.
      const auto c = static_cast<ClientId>(index);
      hooks_.deliver(hooks_.context, static_cast<NodeId>(extra), c, clients_[c].request);
      break;
    }
    case Wake::kTimeout: {
      const auto c = static_cast<ClientId>(index);
      Client& client = clients_[c];
      if (!client.busy || extra != timeout_tag(client.sequence, client.attempt)) break;  // answered, or superseded
      ++timeouts_;
      if (client.attempt >= max_attempts(c) || (now >= stop_ && !is_operator(c))) {
        if (!is_operator(c)) trace_complete(now, history_.at(client.history_place), kUnknown);
        client.busy = false;  // give up: the operation stays unanswered
        think(c, now);
        break;
      }
      send_attempt(c, now, other_node(client.target));
      break;
    }
    case Wake::kReply: {
      // Read in place (nothing below adds a reply), so the slot's string
      // keeps its storage for the next reply it holds.
      const kv::Reply& reply = replies_in_flight_[index];
      free_replies_.push_back(static_cast<std::uint32_t>(index));
      Client& client = clients_[reply.client];
      if (!client.busy || reply.sequence != client.sequence) break;  // an answer to an earlier attempt
      if (reply.status == kv::Reply::Status::kNotLeader) {
        ++redirects_;
        if (client.attempt >= max_attempts(reply.client)) break;  // the timeout will give up
        const NodeId next = reply.leader_hint != kNoNode && reply.leader_hint < nodes_ && reply.leader_hint != client.target
                                ? reply.leader_hint
                                : other_node(client.target);
        send_attempt(reply.client, now, next);
        break;
      }
      if (reply.status == kv::Reply::Status::kRetryLater) {
        // The leader cannot take an admin request yet: ask it again shortly.
        if (client.attempt < max_attempts(reply.client)) send_attempt(reply.client, now + 50 * kMillisecond, client.target);
        break;
      }
      if (is_operator(reply.client)) {
        ++admin_ok_;
        client.busy = false;
        break;
      }
      KvRecord& op = history_.at(client.history_place);
      op.completed = now;
      const KvOperation::Kind kind = op.kind();
      if (kind == KvOperation::Kind::kGet) op.text = history_.add_text(reply.value);
      op.set_cas_ok(reply.cas_ok);
      // Answers come in time order (events run in time order): the gap
      // since the last one is a gap between consecutive answers.
      if (answered_ > 0) longest_gap_ = std::max(longest_gap_, now - last_ok_);
      last_ok_ = now;
      ++answered_;
      trace_complete(now, op, kind == KvOperation::Kind::kCas && !reply.cas_ok ? kFail : kOk);
      const std::size_t key_index = op.key;
      if (kind == KvOperation::Kind::kGet) client.last_seen[key_index] = std::uint64_t{op.text} << 1;
      else if (kind == KvOperation::Kind::kPut || (kind == KvOperation::Kind::kCas && reply.cas_ok))
        client.last_seen[key_index] = client.request.sequence << 1 | 1;
      client.busy = false;
      think(reply.client, now);
      break;
    }
  }
}

void KvWorkload::admin(Time now, kv::Request request) {
  // Each operator request is a client of its own, so several can be under
  // way at once (as with several operators, or automation), each retrying.
  const auto c = static_cast<ClientId>(clients_.size());
  clients_.emplace_back();
  Client& op = clients_.back();
  op.target = clients_.size() > 1 ? clients_[c - 1].target : static_cast<NodeId>(rng_.below(nodes_));
  op.request = std::move(request);
  op.request.client = c;
  op.request.sequence = op.sequence = 1;
  op.busy = true;
  op.attempt = 0;
  ++admin_issued_;
  send_attempt(c, now, op.target);
}

void KvWorkload::on_reply(Time now, const kv::Reply& reply) {
  std::uint32_t slot;
  if (!free_replies_.empty()) {
    slot = free_replies_.back();
    free_replies_.pop_back();
    replies_in_flight_[slot] = reply;
  } else {
    slot = static_cast<std::uint32_t>(replies_in_flight_.size());
    replies_in_flight_.push_back(reply);
  }
  schedule(now + latency(), token(Wake::kReply, slot));
}

template <class F>
void KvWorkload::with_key_text(std::uint32_t key_index, F&& f) {
  if (key_index < key_texts_.size()) {
    f(key_texts_[key_index]);
  } else {
    const std::string name = kv_key_name(key_index);
    f(std::string_view(name));
  }
}

// The fields, in order, as the hook's lists named them: they and their
// order are the events' hash (docs/trace-format.md).
void KvWorkload::trace_invoke(Time now, const kv::Request& r, std::uint32_t key_index) {
  if (hooks_.trace == nullptr) return;
  TraceRecorder::ClientOperation e = hooks_.trace->begin_client_operation(now, kInvoke);
  e.field("client", std::uint64_t{r.client});
  e.field("op", op_texts_[static_cast<int>(r.kind)]);
  with_key_text(key_index, [&](const auto& key) { e.field("key", key); });
  if (r.kind != kv::OpKind::kGet) e.field("value", std::string_view(r.value));
  if (r.kind == kv::OpKind::kCas) e.field("expected", std::string_view(r.expected));
  e.finish();
}

void KvWorkload::trace_complete(Time now, const KvRecord& op, const TraceText& result) {
  if (hooks_.trace == nullptr) return;
  TraceRecorder::ClientOperation e = hooks_.trace->begin_client_operation(now, kComplete);
  e.field("client", std::uint64_t{op.client});
  e.field("op", op_texts_[static_cast<int>(op.kind())]);
  with_key_text(op.key, [&](const auto& key) { e.field("key", key); });
  e.field("result", result);
  if (op.kind() == KvOperation::Kind::kGet && op.answered()) e.field("value", history_.text(op.text));
  e.finish();
}

void KvWorkload::finish(Time end, Metrics& metrics) {
  // Operations still outstanding when the run ends: their outcome is unknown.
  for (ClientId c = 0; c < spec_.clients; ++c)
    if (clients_[c].busy) trace_complete(end, history_.at(clients_[c].history_place), kUnknown);
  // The latencies in one vector, made, used and freed here: at the end of a
  // long run the history holds millions of operations.
  const std::uint64_t answered = answered_;
  std::uint64_t unanswered = 0;
  MetricStats s;
  {
    std::vector<double> latencies;
    latencies.reserve(answered);
    history_.for_each_record([&](const KvRecord& op) {
      if (op.answered()) latencies.push_back(static_cast<double>(op.completed - op.invoked));
      else ++unanswered;
    });
    s = summarize_samples(std::move(latencies));
  }
  // The longest stretch without an acknowledged operation, from the first
  // one (the cluster's first election is not an outage) to the end of the
  // load: what a leader crash, a partition or loss cost users. The gaps
  // between answers were measured as they came (on_event), as the sorted
  // completion times' differences were.
  Duration longest_gap = 0;
  if (answered > 0) longest_gap = std::max(longest_gap_, std::min(end, stop_) - last_ok_);
  const Time last_ok = answered > 0 ? last_ok_ : 0;
  const double active_s = static_cast<double>(std::max<Time>(1, std::min(end, stop_) - spec_.start)) / 1e9;
  set_scalar(metrics, "ops_ok", static_cast<double>(answered));
  set_scalar(metrics, "ops_unanswered", static_cast<double>(unanswered));
  set_scalar(metrics, "client_redirects", static_cast<double>(redirects_));
  if (admin_issued_ > 0) {
    set_scalar(metrics, "admin_ops_ok", static_cast<double>(admin_ok_));
    set_scalar(metrics, "admin_ops_abandoned", static_cast<double>(admin_issued_ - admin_ok_));
  }
  set_scalar(metrics, "client_timeouts", static_cast<double>(timeouts_));
  set_scalar(metrics, "commit_gap_max_ns", static_cast<double>(longest_gap));
  // When the last operation was acknowledged (0: none was): swarm mode's
  // liveness bound, progress after the faults healed.
  set_scalar(metrics, "last_ok_ns", static_cast<double>(last_ok));
  set_scalar(metrics, "throughput_ops_per_s", static_cast<double>(answered) / active_s);
  if (answered > 0) {
    set_scalar(metrics, "commit_latency_p50_ns", s.p50);
    set_scalar(metrics, "commit_latency_p99_ns", s.p99);
    set_scalar(metrics, "commit_latency_max_ns", s.max);
  }
}

}  // namespace faultline

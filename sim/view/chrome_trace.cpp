#include "sim/view/chrome_trace.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "sim/json/json_writer.hpp"
#include "sim/view/node_order.hpp"
#include "sim/view/role_event.hpp"

namespace faultline::view {

namespace {

constexpr int kNetworkPid = 0;
constexpr int kEventsTid = 1, kRoleTid = 2, kFaultsTid = 3;

struct ChromeEvent {
  std::int64_t ts_ns = 0;
  std::uint64_t seq = 0;  // ties keep the order they were made in
  std::string json;
};

std::string micros(std::int64_t ns) { return fmt::format("{}.{:03}", ns / 1000, ns % 1000); }

std::string quoted(std::string_view text) {
  fmt::memory_buffer out;
  append_json_string(out, text);
  return fmt::to_string(out);
}

// The line's fields but `t`, `kind` and `node`, as an args object.
std::string args_of(const TraceLine& line) {
  std::string out = "{";
  for (const auto& f : line.fields) {
    if (f.key == "t" || f.key == "kind" || f.key == "node") continue;
    if (out.size() > 1) out += ',';
    out += quoted(f.key) + ":" + f.json;
  }
  return out + "}";
}

class Builder {
 public:
  explicit Builder(const std::vector<TraceLine>& lines) {
    nodes_ = trace_nodes(lines);
    for (std::size_t i = 0; i < nodes_.size(); ++i) pid_[nodes_[i]] = static_cast<int>(i) + 1;
    clients_pid_ = static_cast<int>(nodes_.size()) + 1;
    end_ns_ = lines.empty() ? 0 : lines.back().t;
  }

  int pid(const std::string& node) const {
    const auto it = pid_.find(node);
    return it == pid_.end() ? kNetworkPid : it->second;
  }

  void metadata() {
    process(kNetworkPid, "network", -1);
    thread(kNetworkPid, kEventsTid, "faults");
    thread(kNetworkPid, kRoleTid, "partitions");
    for (const auto& node : nodes_) {
      const int p = pid(node);
      process(p, node, p);
      thread(p, kEventsTid, "events");
      thread(p, kRoleTid, "role");
      thread(p, kFaultsTid, "faults");
    }
  }

  void add(const TraceLine& line) {
    const int p = pid(line.node);
    const std::string args = args_of(line);
    if (line.kind == "send" || line.kind == "deliver" || line.kind == "drop" || line.kind == "duplicate") {
      message(line, p, args);
    } else if (const auto role = role_event(line)) {
      close_role(line.node, line.t);
      open_roles_[line.node] = {line.t, role->term.empty() ? role->role : role->role + " t" + role->term, args};
      instant(line.t, p, kEventsTid, line.kind, args);
    } else if (line.kind == "fault") {
      fault(line, p, args);
    } else if (line.kind == "invoke" || line.kind == "complete") {
      client_op(line, args);
    } else if (line.kind == "violation") {
      const std::string name = "violation: " + line.string_field("checker");
      emit(line.t, fmt::format(R"("ph":"i","s":"g","pid":{},"tid":{},"name":{},"cat":"violation","args":{})", p,
                               kEventsTid, quoted(name), args));
    } else {
      instant(line.t, p, kEventsTid, line.kind, args);
    }
  }

  // Closes what is still open at the end of the trace.
  void finish() {
    for (const auto& node : nodes_) {
      close_role(node, end_ns_);
      close_state(node, "crashed", end_ns_);
      close_state(node, "paused", end_ns_);
    }
    close_partition(end_ns_);
    for (auto& [client, op] : open_ops_) client_slice(client, op, end_ns_, "{\"completed\":false}");
    open_ops_.clear();
  }

  std::string json(const std::string& title) {
    std::stable_sort(events_.begin(), events_.end(), [](const ChromeEvent& a, const ChromeEvent& b) {
      return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.seq < b.seq;
    });
    std::string out = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":\"faultline\",\"title\":" +
                      quoted(title) + "},\"traceEvents\":[\n";
    for (std::size_t i = 0; i < meta_.size(); ++i) out += meta_[i] + ",\n";
    for (std::size_t i = 0; i < events_.size(); ++i) {
      out += events_[i].json;
      out += i + 1 < events_.size() ? ",\n" : "\n";
    }
    if (events_.empty() && !meta_.empty()) out.erase(out.size() - 2, 1);  // the metadata's last comma
    return out + "]}\n";
  }

 private:
  struct Open {
    std::int64_t start = 0;
    std::string name;
    std::string args;
  };

  void emit(std::int64_t ts, const std::string& body) {
    events_.push_back({ts, seq_++, fmt::format("{{\"ts\":{},{}}}", micros(ts), body)});
  }
  void instant(std::int64_t ts, int p, int tid, const std::string& name, const std::string& args) {
    emit(ts, fmt::format(R"("ph":"i","s":"t","pid":{},"tid":{},"name":{},"args":{})", p, tid, quoted(name), args));
  }
  void slice(std::int64_t start, std::int64_t end, int p, int tid, const std::string& name, const std::string& cat,
             const std::string& args) {
    emit(start, fmt::format(R"("ph":"X","dur":{},"pid":{},"tid":{},"name":{},"cat":{},"args":{})", micros(end - start),
                            p, tid, quoted(name), quoted(cat), args));
  }
  void process(int p, const std::string& name, int sort_index) {
    meta_.push_back(fmt::format(R"({{"ph":"M","name":"process_name","pid":{},"tid":0,"args":{{"name":{}}}}})", p,
                                quoted(name)));
    meta_.push_back(fmt::format(R"({{"ph":"M","name":"process_sort_index","pid":{},"tid":0,"args":{{"sort_index":{}}}}})",
                                p, sort_index + 1));
  }
  void thread(int p, int tid, const std::string& name) {
    meta_.push_back(fmt::format(R"({{"ph":"M","name":"thread_name","pid":{},"tid":{},"args":{{"name":{}}}}})", p, tid,
                                quoted(name)));
  }

  // 1 ns slices never overlap the next event on the same thread (times are
  // integer ns); several at one instant nest, and a flow event right after
  // its slice binds to it, the innermost slice open at that time.
  void message(const TraceLine& line, int p, const std::string& args) {
    const std::string type = line.string_field("type");
    const auto id = line.int_field("id");
    std::string name = line.kind + " " + type;
    if (line.kind == "drop") name += " (" + line.string_field("reason") + ")";
    slice(line.t, line.t + 1, p, kEventsTid, name, "message", args);
    if (!id) return;
    const std::string flow_name = quoted(type.empty() ? "message" : type);
    if (line.kind == "send") {
      emit(line.t, fmt::format(R"("ph":"s","id":{},"pid":{},"tid":{},"name":{},"cat":"message")", *id, p, kEventsTid,
                               flow_name));
      in_flight_.insert(*id);
    } else if ((line.kind == "deliver" || line.kind == "drop") && in_flight_.erase(*id) > 0) {
      emit(line.t, fmt::format(R"("ph":"f","bp":"e","id":{},"pid":{},"tid":{},"name":{},"cat":"message")", *id, p,
                               kEventsTid, flow_name));
    }
  }

  void fault(const TraceLine& line, int p, const std::string& args) {
    const std::string what = line.string_field("fault");
    instant(line.t, p, p == kNetworkPid ? kEventsTid : kFaultsTid, what, args);
    if (line.node.empty() || p == kNetworkPid) {
      if (what == "partition" || what == "isolate" || what == "one_way") {
        close_partition(line.t);
        std::string name = what;
        if (line.field("groups")) name += " " + line.string_field("groups");
        if (line.field("from")) name += " " + line.string_field("from") + "->" + line.string_field("to");
        partition_ = Open{line.t, name, args};
      } else if (what == "heal") {
        close_partition(line.t);
      }
      return;
    }
    if (what == "crash") {
      close_role(line.node, line.t);
      open_states_[line.node + "\ncrashed"] = {line.t, "crashed", args};
    } else if (what == "restart") {
      close_state(line.node, "crashed", line.t);
    } else if (what == "pause") {
      open_states_[line.node + "\npaused"] = {line.t, "paused", args};
    } else if (what == "resume") {
      close_state(line.node, "paused", line.t);
    } else if (what == "isolate") {
      // an isolated node is a partition of its own (healed by `heal`)
      close_partition(line.t);
      partition_ = Open{line.t, "isolate " + line.node, args};
    } else if (what == "heal") {
      close_partition(line.t);
    }
  }

  void close_role(const std::string& node, std::int64_t end) {
    const auto it = open_roles_.find(node);
    if (it == open_roles_.end()) return;
    if (end > it->second.start)
      slice(it->second.start, end, pid(node), kRoleTid, it->second.name, "role", it->second.args);
    open_roles_.erase(it);
  }
  void close_state(const std::string& node, const std::string& state, std::int64_t end) {
    const auto it = open_states_.find(node + "\n" + state);
    if (it == open_states_.end()) return;
    if (end > it->second.start) slice(it->second.start, end, pid(node), kFaultsTid, state, "fault", it->second.args);
    open_states_.erase(it);
  }
  void close_partition(std::int64_t end) {
    if (!partition_) return;
    if (end > partition_->start)
      slice(partition_->start, end, kNetworkPid, kRoleTid, partition_->name, "fault", partition_->args);
    partition_.reset();
  }

  void client_op(const TraceLine& line, const std::string& args) {
    const std::string client = line.string_field("client");
    if (!client_tid_.count(client)) {
      const int tid = static_cast<int>(client_tid_.size()) + 1;
      client_tid_[client] = tid;
      if (tid == 1) process(clients_pid_, "clients", clients_pid_);
      thread(clients_pid_, tid, "client " + client);
    }
    if (line.kind == "invoke") {
      if (open_ops_.count(client)) client_slice(client, open_ops_[client], line.t, "{\"completed\":false}");
      std::string name = line.string_field("op");
      if (line.field("key")) name += " " + line.string_field("key");
      open_ops_[client] = Open{line.t, name.empty() ? "op" : name, args};
      return;
    }
    const auto it = open_ops_.find(client);
    if (it == open_ops_.end()) {
      instant(line.t, clients_pid_, client_tid_[client], "complete", args);
      return;
    }
    client_slice(client, it->second, line.t, args);
    open_ops_.erase(it);
  }
  void client_slice(const std::string& client, const Open& op, std::int64_t end, const std::string& result) {
    const std::string args = fmt::format(R"({{"invoke":{},"complete":{}}})", op.args, result);
    slice(op.start, std::max(end, op.start + 1), clients_pid_, client_tid_[client], op.name, "client", args);
  }

  std::vector<std::string> nodes_;
  std::map<std::string, int> pid_;
  int clients_pid_ = 0;
  std::int64_t end_ns_ = 0;
  std::vector<std::string> meta_;
  std::vector<ChromeEvent> events_;
  std::uint64_t seq_ = 0;
  std::set<std::int64_t> in_flight_;  // message ids sent and not yet delivered or dropped
  std::map<std::string, Open> open_roles_;   // by node
  std::map<std::string, Open> open_states_;  // by "node\nstate"
  std::optional<Open> partition_;
  std::map<std::string, int> client_tid_;
  std::map<std::string, Open> open_ops_;  // by client
};

}  // namespace

std::string chrome_trace_json(const std::vector<TraceLine>& lines, const std::string& title) {
  Builder b(lines);
  b.metadata();
  for (const auto& line : lines) b.add(line);
  b.finish();
  return b.json(title);
}

}  // namespace faultline::view

#include "sim/trace/trace_recorder.hpp"

#include <fmt/format.h>

#include "sim/json/json_writer.hpp"

namespace faultline {

std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kLoss: return "loss";
    case DropReason::kPartition: return "partition";
    case DropReason::kCrashed: return "crashed";
  }
  return "unknown";
}

TraceRecorder::TraceRecorder(const Scenario& names, TraceLevel level) : names_(names), level_(level) {}

void TraceRecorder::append_name(NodeId node) {
  auto& out = writer_.line();
  if (names_.node_names.empty()) fmt::format_to(std::back_inserter(out), "\"n{}\"", node);
  else append_json_string(out, names_.node_names[node]);
}

void TraceRecorder::begin_line(Time t, NodeId node, std::string_view kind) {
  auto& out = writer_.line();
  fmt::format_to(std::back_inserter(out), "{{\"t\":{},\"kind\":", t);
  append_json_string(out, kind);
  if (node != kNoNode) {
    out.append(std::string_view(",\"node\":"));
    append_name(node);
  }
}

void TraceRecorder::append_field(const TraceField& f) {
  auto& out = writer_.line();
  out.push_back(',');
  append_json_string(out, f.key);
  out.push_back(':');
  if (f.is_text) append_json_string(out, f.text);
  else fmt::format_to(std::back_inserter(out), "{}", f.number);
}

void TraceRecorder::write_fields(std::initializer_list<TraceField> fields) {
  for (const auto& f : fields) append_field(f);
}

void TraceRecorder::write_message_fields(MessageFields fields) {
  if (fields.write) fields.write(fields.message, *this);
}

void TraceRecorder::write_event(Time t, NodeId node, std::string_view kind,
                                std::initializer_list<TraceField> fields) {
  begin_line(t, node, kind);
  write_fields(fields);
  end_event_line();
}

void TraceRecorder::end_event_line() {
  writer_.line().push_back('}');
  writer_.end_line();
}

void TraceRecorder::write_sent(Time t, NodeId from, NodeId to, std::string_view type, std::uint32_t bytes,
                               std::uint64_t id, MessageFields fields) {
  begin_line(t, from, "send");
  auto& out = writer_.line();
  out.append(std::string_view(",\"to\":"));
  append_name(to);
  out.append(std::string_view(",\"type\":"));
  append_json_string(out, type);
  fmt::format_to(std::back_inserter(out), ",\"bytes\":{},\"id\":{}", bytes, id);
  write_message_fields(fields);
  out.push_back('}');
  writer_.end_line();
}

void TraceRecorder::message_duplicated(Time t, NodeId from, NodeId to, std::string_view type, std::uint64_t id,
                                       MessageFields fields) {
  ++events_;
  hash_.add(kDuplicated);
  hash_.add(static_cast<std::uint64_t>(t));
  hash_.add(id);
  if (!keeps(TraceLevel::kMessages)) return;
  begin_line(t, from, "duplicate");
  auto& out = writer_.line();
  out.append(std::string_view(",\"to\":"));
  append_name(to);
  out.append(std::string_view(",\"type\":"));
  append_json_string(out, type);
  fmt::format_to(std::back_inserter(out), ",\"id\":{}", id);
  write_message_fields(fields);
  out.push_back('}');
  writer_.end_line();
}

void TraceRecorder::write_delivered(Time t, NodeId from, NodeId to, std::string_view type, std::uint64_t id,
                                    MessageFields fields) {
  begin_line(t, to, "deliver");
  auto& out = writer_.line();
  out.append(std::string_view(",\"from\":"));
  append_name(from);
  out.append(std::string_view(",\"type\":"));
  append_json_string(out, type);
  fmt::format_to(std::back_inserter(out), ",\"id\":{}", id);
  write_message_fields(fields);
  out.push_back('}');
  writer_.end_line();
}

void TraceRecorder::message_dropped(Time t, NodeId from, NodeId to, std::string_view type, std::uint64_t id,
                                    DropReason reason, MessageFields fields) {
  ++events_;
  hash_.add(kDropped);
  hash_.add(static_cast<std::uint64_t>(t));
  hash_.add((static_cast<std::uint64_t>(from) << 32) | to);
  hash_.add(id ^ (static_cast<std::uint64_t>(reason) << 56));
  if (!keeps(TraceLevel::kMessages)) return;
  begin_line(t, to, "drop");
  auto& out = writer_.line();
  out.append(std::string_view(",\"from\":"));
  append_name(from);
  out.append(std::string_view(",\"type\":"));
  append_json_string(out, type);
  fmt::format_to(std::back_inserter(out), ",\"id\":{},\"reason\":", id);
  append_json_string(out, drop_reason_name(reason));
  write_message_fields(fields);
  out.push_back('}');
  writer_.end_line();
}

void TraceRecorder::write_timer(Time t, NodeId node, TimerSlot slot) {
  begin_line(t, node, "timer");
  fmt::format_to(std::back_inserter(writer_.line()), ",\"slot\":{}}}", slot);
  writer_.end_line();
}

void TraceRecorder::fault(Time t, std::string_view fault, NodeId node, std::initializer_list<TraceField> fields) {
  ++events_;
  hash_.add(kFault);
  hash_.add(static_cast<std::uint64_t>(t));
  hash_.add(fault);
  hash_.add(static_cast<std::uint64_t>(node));
  add_fields(hash_, fields);
  if (!keeps(TraceLevel::kFaults)) return;
  begin_line(t, node, "fault");
  auto& out = writer_.line();
  out.append(std::string_view(",\"fault\":"));
  append_json_string(out, fault);
  write_fields(fields);
  out.push_back('}');
  writer_.end_line();
}

void TraceRecorder::disk(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields) {
  ++events_;
  hash_.add(kDisk);
  hash_.add(static_cast<std::uint64_t>(t));
  hash_.add(static_cast<std::uint64_t>(node));
  hash_.add(kind);
  add_fields(hash_, fields);
  if (keeps(TraceLevel::kMessages)) write_event(t, node, kind, fields);
}

void TraceRecorder::violation(Time t, NodeId node, std::string_view checker, std::string_view details) {
  ++events_;
  hash_.add(kViolation);
  hash_.add(static_cast<std::uint64_t>(t));
  hash_.add(static_cast<std::uint64_t>(node));
  hash_.add(checker);
  hash_.add(details);
  if (!keeps(TraceLevel::kFaults)) return;
  begin_line(t, node, "violation");
  write_fields({{"checker", checker}, {"details", details}});
  writer_.line().push_back('}');
  writer_.end_line();
}

}  // namespace faultline

#include "sim/checkers/kv_client_history.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace faultline {

std::string kv_key_name(std::uint32_t key) {
  char text[16] = {'k'};
  return std::string(text, std::to_chars(text + 1, text + sizeof text, key).ptr);
}

namespace {

// Writes `value`'s decimal digits (std::to_chars's) to end before `end`;
// returns where they start.
char* write_digits_before(char* end, std::uint64_t value) {
  do {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  return end;
}

// Writes "client.sequence" to end at `end` (48 bytes before it are
// enough); returns where it starts. Written from its last digit back: a
// value has a handful of digits (a client number, a request number), a
// digit or two each costs less than std::to_chars's length count and
// two-digit table (once per write request and once per written value the
// checker reads back: about 80 instructions a value, measured with
// callgrind).
char* write_written_value_before(char* end, std::uint32_t client, std::uint64_t sequence) {
  char* start = write_digits_before(end, sequence);
  *--start = '.';
  return write_digits_before(start, client);
}

}  // namespace

std::string kv_written_value(std::uint32_t client, std::uint64_t sequence) {
  char text[48];
  const char* start = write_written_value_before(text + sizeof text, client, sequence);
  return std::string(start, static_cast<std::size_t>(text + sizeof text - start));
}

void append_written_value(std::string& out, std::uint32_t client, std::uint64_t sequence) {
  char text[48];
  const char* start = write_written_value_before(text + sizeof text, client, sequence);
  out.append(start, static_cast<std::size_t>(text + sizeof text - start));
}

KvTextPool::Id KvTextPool::add(std::string_view text) {
  if (text.empty()) return 0;
  if (starts_.size() > std::numeric_limits<Id>::max() ||
      bytes_.size() + text.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("client history: more than 4 GiB or 2^32 stored values (what gets read, what cas expects)");
  bytes_ += text;
  starts_.push_back(static_cast<std::uint32_t>(bytes_.size()));
  return static_cast<Id>(starts_.size() - 2);
}

KvClientHistory::KvClientHistory(std::uint32_t keys_apart, std::size_t expected_operations)
    : groups_(std::max<std::uint32_t>(keys_apart, 1)) {
  const std::size_t per_group = expected_operations / groups_.size() + 16;
  for (auto& g : groups_) g.reserve(per_group);
}

KvClientHistory::Place KvClientHistory::invoke(const KvRecord& r) {
  const auto group = static_cast<std::uint32_t>(r.key % groups_.size());
  groups_[group].push_back(r);
  return {group, groups_[group].size() - 1};
}

KvOperation KvClientHistory::operation(const KvRecord& r) const {
  using K = KvOperation::Kind;
  KvOperation op;
  op.client = r.client;
  op.kind = r.kind();
  op.key = kv_key_name(r.key);
  if (op.kind != K::kGet) op.value = kv_written_value(r.client, r.sequence());
  if (op.kind == K::kCas) op.expected = text(r.text);
  op.invoked = r.invoked;
  op.completed = r.completed;
  if (op.kind == K::kGet) op.output = text(r.text);
  op.cas_ok = r.cas_ok();
  return op;
}

std::vector<std::uint32_t> KvClientHistory::keys_in_name_order() const {
  // In name order (the order the checker has always used).
  std::vector<std::pair<std::string, std::uint32_t>> keys;
  for (const auto& g : groups_) {
    std::vector<std::uint32_t> in_group;
    for (const auto& r : g)
      if (std::find(in_group.begin(), in_group.end(), r.key) == in_group.end()) in_group.push_back(r.key);
    for (auto k : in_group) keys.emplace_back(kv_key_name(k), k);
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::uint32_t> out;
  out.reserve(keys.size());
  for (const auto& key : keys) out.push_back(key.second);
  return out;
}

void KvClientHistory::for_each_key(
    const std::function<void(const std::string& key, std::vector<KvOperation>& ops)>& visit) const {
  std::vector<KvOperation> ops;
  for (const std::uint32_t key : keys_in_name_order()) {
    ops.clear();
    for_each_record_of(key, [&](const KvRecord& r) { ops.push_back(operation(r)); });
    visit(kv_key_name(key), ops);
  }
}

KvHistory flatten(const KvClientHistory& history) {
  KvHistory out;
  history.for_each_record([&](const KvRecord& r) { out.push_back(history.operation(r)); });
  std::stable_sort(out.begin(), out.end(), invoked_before);
  return out;
}

}  // namespace faultline

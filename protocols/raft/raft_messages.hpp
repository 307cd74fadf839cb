// Raft's messages (paper Figure 2), with PreVote (thesis 9.6) and the
// conflict hint for fast backtracking (thesis 5.3 / etcd-io/raft).
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <utility>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/host/trace_field.hpp"
#include "protocols/raft/command_ref.hpp"
#include "protocols/kv/kv_client_protocol.hpp"
#include "protocols/kv/insert_only_table.hpp"
#include "protocols/kv/kv_codec.hpp"

namespace faultline::raft {

using Term = std::uint64_t;
using Index = std::uint64_t;

// A log entry. Its command is immutable once appended, so copies of the
// entry (in AppendEntries, in followers' logs) share it instead of copying
// its strings, and share its log record too: the bytes written to the log are
// made once, by the leader, as a follower over a real network would write
// the bytes it received.
//
// The record is kept in the command itself when it is short (a request's
// usual key and value: one allocation per command, not two), else in a
// string of its own.
class Command {
 public:
  // Made for an entry of term `t` (its record written here, once).
  Command(Term t, const kv::Request& r) : request(r), term(t), request_bytes(bytes_of(r)), key_hash(kv::key_hash(r.key)) {
    char digits[24];
    const auto length = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, t).ptr - digits);  // as std::to_string writes it
    encoded_at_ = static_cast<std::uint32_t>(length + 3);
    if (kv::has_nothing_to_escape(r) && encoded_at_ + kv::encoded_size_bound(r) <= kShortRecord) {
      std::memcpy(short_record_, digits, length);
      std::memcpy(short_record_ + length, "|c|", 3);
      size_ = static_cast<std::uint32_t>(kv::encode_unescaped(short_record_ + encoded_at_, r) - short_record_);
      return;
    }
    long_record_.reserve(encoded_at_ + kv::encoded_size_bound(r));
    long_record_.append(digits, length);
    long_record_.append("|c|", 3);
    kv::encode_into(long_record_, r);
    size_ = static_cast<std::uint32_t>(long_record_.size());
  }
  // Read back from a stored record (`stored` its bytes, `request` kv::decode's
  // of those from `encoded_at` on).
  Command(kv::Request r, Term t, std::string_view stored, std::uint32_t encoded_at)
      : request(std::move(r)), term(t), request_bytes(bytes_of(request)), key_hash(kv::key_hash(request.key)), size_(static_cast<std::uint32_t>(stored.size())), encoded_at_(encoded_at) {
    if (stored.size() <= kShortRecord) std::memcpy(short_record_, stored.data(), stored.size());
    else long_record_ = stored;
  }

  const kv::Request request;
  const Term term;  // the term of the entry it was made for
  // The request's key, value and expected value, in bytes (what
  // message_bytes counts for it, read once per entry sent).
  const std::uint32_t request_bytes;
  // kv::key_hash(request.key): each replica's store looks the key up with
  // it (kv::KvStore::apply), none hashes it again.
  const std::uint64_t key_hash;

  // That entry's log record: "<term>|c|" then kv::encode(request) (raft_log.hpp).
  std::string_view record() const { return std::string_view(long_record_.empty() ? short_record_ : long_record_.data(), size_); }
  // kv::encode(request).
  std::string_view encoded() const { return record().substr(encoded_at_); }

 private:
  static std::uint32_t bytes_of(const kv::Request& r) {
    return static_cast<std::uint32_t>(r.key.size() + r.value.size() + r.expected.size());
  }
  static constexpr std::size_t kShortRecord = 112;
  std::uint32_t size_ = 0;        // the record's length
  std::uint32_t encoded_at_ = 0;  // where kv::encode(request) starts in the record
  std::string long_record_;          // the record, when it is not in short_record_ (else empty)
  char short_record_[kShortRecord];  // the record, when long_record_ is empty (at most kShortRecord long)
};

// The request of a no-op entry (Entry::command()). At namespace scope, so
// reading it tests no guard on each call; not constexpr, as clang 16 cannot
// constant-evaluate libstdc++ 12's std::string.
inline const kv::Request kNoRequest{};

struct Entry {
  Term term = 0;
  bool noop = false;  // a new leader's first entry (section 8): commits earlier terms' entries
  CommandRef<Command> shared;  // empty for a no-op (see command_ref.hpp: counted without atomics)

  Entry() = default;
  Entry(Term t, bool is_noop, const kv::Request& r = {}) : term(t), noop(is_noop) {
    if (!is_noop) shared = CommandRef<Command>::make(t, r);
  }
  const kv::Request& command() const {
    return shared ? shared->request : kNoRequest;
  }
};

// The entries an AppendEntries carries: the first one inline, more on the
// heap. At a steady load a leader sends each new entry as it arrives, so
// most AppendEntries carry one entry (or none, a heartbeat): they then
// allocate nothing. Otherwise a vector's interface, as far as Raft uses it.
// Invariant: [data(), data() + size_) are live entries; heap_ is null while
// capacity_ is 1 (the inline slot).
class EntryList {
 public:
  EntryList() noexcept {}
  EntryList(std::vector<Entry> entries) {  // NOLINT: implicit, as a braced AppendEntries passes a vector
    reserve(entries.size());
    for (Entry& e : entries) push_back(std::move(e));
  }
  EntryList(const EntryList& other) {
    reserve(other.size_);
    for (const Entry& e : other) push_back(e);
  }
  EntryList(EntryList&& other) noexcept { take(other); }
  EntryList& operator=(const EntryList& other) {
    if (this != &other) {
      EntryList copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  EntryList& operator=(EntryList&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~EntryList() { release(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Entry* begin() const { return data(); }
  const Entry* end() const { return data() + size_; }
  const Entry& operator[](std::size_t k) const { return data()[k]; }
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    Entry* grown = static_cast<Entry*>(::operator new(n * sizeof(Entry)));
    for (std::uint32_t k = 0; k < size_; ++k) {
      new (grown + k) Entry(std::move(data()[k]));
      data()[k].~Entry();
    }
    if (heap_) ::operator delete(heap_);
    heap_ = grown;
    capacity_ = static_cast<std::uint32_t>(n);
  }
  void push_back(const Entry& e) {
    if (size_ == capacity_) reserve(2 * static_cast<std::size_t>(capacity_));
    new (data() + size_) Entry(e);
    ++size_;
  }
  void push_back(Entry&& e) {
    if (size_ == capacity_) reserve(2 * static_cast<std::size_t>(capacity_));
    new (data() + size_) Entry(std::move(e));
    ++size_;
  }
  // Copies of the n entries at `from` added at the end (one reservation,
  // then a plain loop: a leader's AppendEntries is a run of its log).
  void append_copies(const Entry* from, std::size_t n) {
    reserve(static_cast<std::size_t>(size_) + n);
    Entry* to = data() + size_;
    for (std::size_t k = 0; k < n; ++k) new (to + k) Entry(from[k]);
    size_ += static_cast<std::uint32_t>(n);
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }
  void clear() {
    for (std::uint32_t k = 0; k < size_; ++k) data()[k].~Entry();
    size_ = 0;
  }

 private:
  Entry* data() { return heap_ ? heap_ : std::launder(reinterpret_cast<Entry*>(inline_)); }
  const Entry* data() const { return heap_ ? heap_ : std::launder(reinterpret_cast<const Entry*>(inline_)); }
  // Takes other's entries; other is left empty (and inline).
  void take(EntryList& other) noexcept {
    if (other.heap_) {
      heap_ = std::exchange(other.heap_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 1);
    } else if (other.size_ == 1) {
      new (inline_) Entry(std::move(other.data()[0]));
      other.data()[0].~Entry();
      other.size_ = 0;
      size_ = 1;
    }
  }
  void release() {
    clear();
    if (heap_) ::operator delete(heap_);
    heap_ = nullptr;
    capacity_ = 1;
  }

  Entry* heap_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 1;
  alignas(Entry) unsigned char inline_[sizeof(Entry)];
};

struct RequestVote {
  Term term = 0;  // for a pre-vote: the term the candidate would use
  Index last_log_index = 0;
  Term last_log_term = 0;
  bool pre_vote = false;
  bool transfer = false;  // sent on the leader's TimeoutNow (3.10): may disrupt a live leader
};

struct VoteReply {
  Term term = 0;
  bool granted = false;
  bool pre_vote = false;
};

struct AppendEntries {
  Term term = 0;
  Index prev_log_index = 0;
  Term prev_log_term = 0;
  EntryList entries;
  Index leader_commit = 0;
  std::uint64_t round = 0;  // ReadIndex (thesis 6.4): the leader's confirmation round, echoed back
};

struct AppendReply {
  Term term = 0;
  bool success = false;
  Index match_index = 0;     // success: the last index now known to match
  Index conflict_index = 0;  // failure: where the leader should try next
  Term conflict_term = 0;    // failure: the term of our entry at prev_log_index (0: we had none)
  std::uint64_t round = 0;   // the AppendEntries' round: we still follow that leader
  // failure, with Params::probe_after_refusal: the refused AppendEntries'
  // prev_log_index, so the leader can tell a refusal of its probe from one
  // of an older message (0 otherwise; traced only when set)
  Index refused_index = 0;
};

// Thesis 5.3 / paper section 7: the leader's state machine as of
// last_included_index, for a follower that needs entries it has compacted.
// The follower answers with an AppendReply (success, match_index =
// last_included_index).
struct InstallSnapshot {
  Term term = 0;
  Index last_included_index = 0;
  Term last_included_term = 0;
  std::string data;     // kv::KvStore::snapshot()
  std::string members;  // the configuration as of last_included_index: '1' per member, '0' otherwise
};

// Thesis 3.10 (leadership transfer): the leader tells an up-to-date
// follower to start an election now, without waiting for its timeout.
struct TimeoutNow {
  Term term = 0;
};

using Message = std::variant<RequestVote, VoteReply, AppendEntries, AppendReply, InstallSnapshot, TimeoutNow>;

// The type of a message on its trace lines: kMessageTypeNames[message_type_index(m)].
inline constexpr std::string_view kMessageTypeNames[] = {
    "request_vote", "pre_vote",     "vote_reply",       "pre_vote_reply", "heartbeat",
    "append_entries", "append_reply", "install_snapshot", "timeout_now"};
inline std::size_t message_type_index(const Message& m) {
  switch (m.index()) {
    case 0: return std::get<RequestVote>(m).pre_vote ? 1 : 0;
    case 1: return std::get<VoteReply>(m).pre_vote ? 3 : 2;
    case 2: return std::get<AppendEntries>(m).entries.empty() ? 4 : 5;
    case 3: return 6;
    case 4: return 7;
    default: return 8;
  }
}
inline std::string_view message_type_name(const Message& m) { return kMessageTypeNames[message_type_index(m)]; }

inline std::uint32_t message_bytes(const Message& m) {
  if (const auto* a = std::get_if<AppendEntries>(&m)) {
    std::uint32_t bytes = 40;
    for (const auto& e : a->entries) {
      bytes += 24;
      if (const Command* c = e.shared.get()) bytes += c->request_bytes;  // a no-op carries no command
    }
    return bytes;
  }
  if (const auto* snap = std::get_if<InstallSnapshot>(&m))
    return 40 + static_cast<std::uint32_t>(snap->data.size() + snap->members.size());
  return 32;
}

// What a trace line says about a message besides its type: each field of
// Figure 2's arguments, by the names in docs/trace-format.md ("Message
// fields"). Calls field(TraceField) once per field, in a fixed order.
template <class F>
void message_fields(const Message& m, F&& field) {
  if (const auto* v = std::get_if<RequestVote>(&m)) {
    field(TraceField{"term", v->term});
    field(TraceField{"last_index", v->last_log_index});
    field(TraceField{"last_term", v->last_log_term});
    field(TraceField{"transfer", v->transfer ? 1 : 0});
  } else if (const auto* r = std::get_if<VoteReply>(&m)) {
    field(TraceField{"term", r->term});
    field(TraceField{"granted", r->granted ? 1 : 0});
  } else if (const auto* a = std::get_if<AppendEntries>(&m)) {
    field(TraceField{"term", a->term});
    field(TraceField{"prev_index", a->prev_log_index});
    field(TraceField{"prev_term", a->prev_log_term});
    field(TraceField{"count", static_cast<std::uint64_t>(a->entries.size())});
    field(TraceField{"commit", a->leader_commit});
    field(TraceField{"read_round", a->round});
  } else if (const auto* r = std::get_if<AppendReply>(&m)) {
    field(TraceField{"term", r->term});
    field(TraceField{"success", r->success ? 1 : 0});
    field(TraceField{"match", r->match_index});
    field(TraceField{"conflict_index", r->conflict_index});
    field(TraceField{"conflict_term", r->conflict_term});
    field(TraceField{"read_round", r->round});
    if (r->refused_index != 0) field(TraceField{"refused_index", r->refused_index});
  } else if (const auto* snap = std::get_if<InstallSnapshot>(&m)) {
    field(TraceField{"term", snap->term});
    field(TraceField{"last_index", snap->last_included_index});
    field(TraceField{"last_term", snap->last_included_term});
  } else {
    field(TraceField{"term", std::get<TimeoutNow>(m).term});
  }
}

}  // namespace faultline::raft

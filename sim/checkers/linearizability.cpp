#include "sim/checkers/linearizability.hpp"

#include "sim/checkers/linearizability_seen.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace faultline {

namespace {

using Verdict = LinearizabilityResult::Verdict;
using Kind = KvOperation::Kind;

// One operation as the search reads it: the strings are views into the
// history being checked (a KvHistory's strings, or the recorded history's
// text pool and a buffer of written values), so no operation is copied into
// the wide KvOperation form to be checked.
struct SearchOp {
  Time invoked = 0;
  Time completed = KvOperation::kNever;
  std::string_view value, expected, output;
  std::uint32_t client = 0;
  Kind kind = Kind::kGet;
  bool cas_ok = false;

  bool answered() const { return completed != KvOperation::kNever; }
};

SearchOp search_op(const KvOperation& op) {
  return {op.invoked, op.completed, op.value, op.expected, op.output, op.client, op.kind, op.cas_ok};
}

// An answered operation taking effect on the register's value `value`:
// false when its answer rules that out (a get that read something else, a
// compare-and-set whose success does not match); otherwise applies it.
bool take_effect_answered(const SearchOp& op, std::string& value) {
  switch (op.kind) {
    case Kind::kGet: return op.output == std::string_view(value);
    case Kind::kPut: value.assign(op.value); return true;
    case Kind::kAppend: value.append(op.value); return true;
    case Kind::kCas:
      if ((op.expected == std::string_view(value)) != op.cas_ok) return false;
      if (op.cas_ok) value.assign(op.value);
      return true;
  }
  return false;
}

// Invocation order, ties broken by client (as invoked_before).
bool search_before(const SearchOp& a, const SearchOp& b) {
  return a.invoked != b.invoked ? a.invoked < b.invoked : a.client < b.client;
}

// A key's register values by number, for its search. A value is alive when
// some get or compare-and-set could find it, it or it with appends: it is a
// prefix of a value a get returned or a compare-and-set expected (a
// findable value). Every dead value is kDead; each alive value has its own
// number: a findable one its place among them (one binary search finds both
// whether it is alive and its number), any other alive one (a prefix of
// findable values) a number above those.
class ValueNames {
 public:
  using Id = std::uint32_t;
  static constexpr Id kDead = 0;

  // Forgets every value (keeping the storage), for the next key.
  void reset() {
    findable_.clear();
    heads_.clear();
    prefixes_.clear();
    prefix_text_.clear();
    owned_.clear();
  }
  // Every findable value, before the first name().
  void add_findable(std::string_view value) { findable_.push_back(value); }
  void seal_findable() {
    // Sorted by head, then by the whole value where heads tie: the values'
    // order (see head()), mostly by comparing numbers. Each carries the
    // place it was added at, so its number is known without a search.
    auto& sorted = sorted_;
    sorted.clear();
    for (std::uint32_t i = 0; i < findable_.size(); ++i) sorted.push_back({head(findable_[i]), findable_[i], i});
    std::sort(sorted.begin(), sorted.end(), [](const Added& a, const Added& b) {
      return a.head != b.head ? a.head < b.head : a.value != b.value ? a.value < b.value : a.place < b.place;
    });
    added_name_.resize(findable_.size());
    findable_.clear();
    for (const Added& a : sorted) {
      if (findable_.empty() || a.head != heads_.back() || a.value != findable_.back()) {
        heads_.push_back(a.head);
        findable_.push_back(a.value);
      }
      added_name_[a.place] = static_cast<Id>(findable_.size());
    }
  }
  // The number of the findable value added k-th (name() would find it).
  Id added_name(std::size_t k) const { return added_name_[k]; }

  // `value`'s number; a view of it is kept when it is neither findable nor
  // dead, so it must outlive this object (the history's strings do).
  Id name(std::string_view value) {
    const std::uint64_t h = head(value);
    const std::size_t k = lower_bound(value, h);
    if (k == findable_.size()) return kDead;
    if (value.size() <= 8) {
      // Both heads hold all of `value`'s bytes (h zero after them): the
      // findable value starts with `value` when its head's first bytes are h.
      const std::uint64_t mask = value.empty() ? 0 : ~std::uint64_t{0} << (64 - 8 * value.size());
      if ((heads_[k] & mask) != h) return kDead;
    } else if (!findable_[k].starts_with(value)) {
      return kDead;
    }
    if (findable_[k].size() == value.size()) return static_cast<Id>(k) + 1;
    return prefix_name(value);
  }
  // The number of the value `tail` appended to value `id`.
  Id appended(Id id, std::string_view tail) {
    if (id == kDead) return kDead;  // a dead value stays dead, whatever is appended
    scratch_.assign(text(id));
    scratch_ += tail;
    const auto it = findable_.begin() + static_cast<std::ptrdiff_t>(lower_bound(scratch_, head(scratch_)));
    if (it == findable_.end() || !it->starts_with(scratch_)) return kDead;
    if (it->size() == scratch_.size()) return static_cast<Id>(it - findable_.begin()) + 1;
    if (const auto known = prefixes_.find(std::string_view(scratch_)); known != prefixes_.end()) return known->second;
    return prefix_name(owned_.emplace_back(scratch_));
  }

 private:
  std::string_view text(Id id) const {
    return id <= findable_.size() ? findable_[id - 1] : prefix_text_[id - findable_.size() - 1];
  }
  Id prefix_name(std::string_view value) {
    const auto [it, added] = prefixes_.try_emplace(value, static_cast<Id>(findable_.size() + prefix_text_.size() + 1));
    if (added) prefix_text_.push_back(value);
    return it->second;
  }

  // The first eight bytes of `v` as a big-endian number, zero-padded: for
  // two values, a smaller head means a smaller value (equal heads say
  // nothing), so most comparisons of the search below are one of numbers.
  static std::uint64_t head(std::string_view v) {
    const char* p = v.data();
    if (v.size() >= 8) return load_big_endian<std::uint64_t>(p);
    // Shorter: its 4-, 2- and 1-byte pieces, each where its bytes go.
    std::uint64_t h = 0;
    std::size_t at = 0;
    if (v.size() & 4) {
      h = static_cast<std::uint64_t>(load_big_endian<std::uint32_t>(p)) << 32;
      at = 4;
    }
    if (v.size() & 2) {
      h |= static_cast<std::uint64_t>(load_big_endian<std::uint16_t>(p + at)) << (48 - 8 * at);
      at += 2;
    }
    if (v.size() & 1) h |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[at])) << (56 - 8 * at);
    return h;
  }
  template <class U>
  static U load_big_endian(const char* p) {
    U u;
    std::memcpy(&u, p, sizeof u);
    if constexpr (std::endian::native == std::endian::little) {
      if constexpr (sizeof(U) == 8) u = __builtin_bswap64(u);
      else if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
      else u = __builtin_bswap16(u);
    }
    return u;
  }
  // Where `value` (whose head is h) is or would go in findable_
  // (std::lower_bound's answer).
  std::size_t lower_bound(std::string_view value, std::uint64_t h) const {
    std::size_t first = 0, count = findable_.size();
    while (count > 0) {
      const std::size_t half = count / 2, mid = first + half;
      if (heads_[mid] < h || (heads_[mid] == h && findable_[mid] < value)) {
        first = mid + 1;
        count -= half + 1;
      } else {
        count = half;
      }
    }
    return first;
  }

  std::vector<std::string_view> findable_;  // sorted, unique: number k + 1 is findable_[k]
  std::vector<std::uint64_t> heads_;        // heads_[k] is head(findable_[k])
  // Alive values that are not findable: looked up, never iterated.
  std::unordered_map<std::string_view, Id> prefixes_;
  std::vector<std::string_view> prefix_text_;  // number findable_.size() + 1 + k
  std::deque<std::string> owned_;              // the values appends made: views of them stay valid
  std::string scratch_;
  struct Added {
    std::uint64_t head;
    std::string_view value;
    std::uint32_t place;  // among the values added
  };
  std::vector<Added> sorted_;          // seal_findable's, kept for its storage
  std::vector<Id> added_name_;         // by place added: the value's number
};

// The search over one key's operations: Wing & Gong's, with Lowe's
// memoization, over the answered operations; the unanswered ones are
// optional moves taken only when nothing else is left to try.
//
// The answered operations' calls and returns are in time order in a doubly
// linked list. A configuration's moves are (1) linearizing an answered call
// that comes before the first remaining return (lifting it and its return
// out of the list), when the register allows its answer, then (2)
// linearizing an unanswered operation invoked by that return's time. A
// return reached with its call not linearized means no move is left: the
// last move is undone and the next one tried. The history is linearizable as
// soon as every answered operation is linearized: unanswered operations left
// over simply never took effect.
//
// Three rules keep the unanswered operations from multiplying the search,
// each dropping only linearizations that have an equivalent one still searched:
// - one that changes nothing (a compare-and-set whose expected value is not
//   there, a write of the value already there) is never linearized: without
//   it the same sequence is legal;
// - nothing that overwrites without reading (a put) directly follows an
//   unanswered operation: that operation's effect is lost unseen, and the
//   sequence without it is legal and reaches the same state;
// - every dead value is one state. A value is dead when no read and no
//   compare-and-set could ever find it, even after appends: it is not a
//   prefix of any value a get returned or a compare-and-set expected. From a
//   dead value every get and successful compare-and-set is illegal, every
//   failed one legal, every append leads to a dead value, and only a write
//   leaves: all dead values allow the same sequences. So a timed-out write
//   whose value nobody saw, and what is appended to it, lead to one state,
//   not one per order of the appends and failed compare-and-sets after it.
// With the subsumption of SeenConfigurations (a configuration with a subset
// of the unanswered operations used can do everything one with more can), a
// timed-out write costs the search a few steps where its effect could be
// seen, not a doubling.
//
// Register values are interned (ValueNames): the search's state, each
// operation's argument and answer are numbers, so a step compares numbers,
// a configuration is remembered with a number, and only an append builds a
// string. Every dead value is one number, kDead.
class KeySearch {
 public:
  // Searches one key's operations, `ops` in invocation order (the strings
  // they view outlive the call), with the register holding `initial` before
  // the first of them (empty: a key never written). One KeySearch checks
  // window after window and key after key (check_in_windows): each check
  // starts from nothing, only the storage is kept. It is called where the
  // first path (every answered operation in invocation order, the search's
  // own first path) is known to be stuck, so it builds the search at once.
  Verdict check(std::span<const SearchOp> ops, std::uint64_t& budget, std::string_view initial = {}) {
    longest_ = std::max(longest_, ops.size());
    ops_ = ops;
    initial_.assign(initial);
    load(ops);
    return run(budget);
  }

  // The most operations one check() was given, over every check so far.
  std::size_t longest() const { return longest_; }

  // After check() answered kLinearizable: the register's value at the end
  // of the witness it found (the linearization it proved legal), into
  // `value`. True when that witness left out an unanswered operation that
  // writes (it never took effect there): a later part of the history may
  // yet need it to have taken effect, so a witness for what follows may
  // have to be searched for from before it.
  bool witness_end(std::string& value) const {
    // The stack holds the witness's moves in order; each is replayed on
    // the values themselves (legal: a dead value compares equal to no value
    // an operation finds, in names or in text, see ValueNames).
    value = initial_;
    std::size_t unanswered_used = 0;
    for (const Frame& f : stack_) {
      const bool answered = f.entry >= 0;
      unanswered_used += !answered;
      const SearchOp& op = ops_[answered ? answered_from_[op_of_[f.entry]] : unanswered_from_[f.unanswered]];
      switch (op.kind) {
        case Kind::kGet: break;
        case Kind::kPut: value.assign(op.value); break;
        case Kind::kAppend: value.append(op.value); break;
        case Kind::kCas:
          // Answered: legal, so it found what it expected exactly when it
          // succeeded. Unanswered: taken only where it finds its value.
          if (answered ? op.cas_ok : op.expected == std::string_view(value)) value.assign(op.value);
          break;
      }
    }
    return unanswered_used < unanswered_.size();
  }

 private:
  void load(std::span<const SearchOp> ops) {
    values_.reset();
    answered_.clear();
    unanswered_.clear();
    stack_.clear();
    low_ = 0;
    remembering_ = false;
    dead_puts_.clear();
    seen_.clear();
    // What a read or compare-and-set could find: first, since a value is
    // named only when it is alive.
    for (const SearchOp& op : ops) {
      if (op.kind == Kind::kCas) values_.add_findable(op.expected);
      else if (op.kind == Kind::kGet && op.answered()) values_.add_findable(op.output);
    }
    values_.seal_findable();
    // Every operation that added a findable value above is moved below, in
    // the same order (an unanswered get added none): move_of() counts them.
    added_ = 0;
    answered_from_.clear();
    unanswered_from_.clear();
    for (std::uint32_t k = 0; k < ops.size(); ++k) {
      const SearchOp& op = ops[k];
      if (op.answered()) {
        answered_.push_back(move_of(op));
        answered_from_.push_back(k);
      } else if (op.kind != Kind::kGet) {  // an unanswered get neither constrains nor changes anything
        unanswered_.push_back(move_of(op));
        unanswered_from_.push_back(k);
      }
    }
    const int n = static_cast<int>(answered_.size());
    // Calls and returns in time order, calls first at equal times
    // (concurrent), then by operation: the calls are in invocation order
    // already, so only the returns are sorted, and the two merged.
    // Answers come nearly in invocation order (a few clients, one operation
    // each at a time), so an insertion sort moves each a few places at
    // most; (time, index) pairs are distinct, so any sort gives this order.
    auto& returns = returns_;
    returns.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const std::pair<Time, int> r{answered_[i].completed, i};
      int j = i;
      for (; j > 0 && r < returns[j - 1]; --j) returns[j] = returns[j - 1];
      returns[j] = r;
    }
    const int m = 2 * n;
    op_of_.resize(m);
    is_call_.resize(m);
    match_.resize(m);
    next_.resize(m + 1);
    prev_.resize(m + 1);
    auto& call_at = call_at_;
    auto& return_at = return_at_;
    call_at.resize(n);
    return_at.resize(n);
    for (int i = 0, c = 0, r = 0; i < m; ++i) {
      // A call goes first unless a return is strictly earlier (calls first at
      // equal times); calls at equal times keep invocation order, which is
      // (time, client) order, and the former sort's by index order too.
      const bool call = c < n && (r == n || answered_[c].invoked <= returns[r].first);
      op_of_[i] = call ? c++ : returns[r++].second;
      is_call_[i] = call;
      (call ? call_at : return_at)[op_of_[i]] = i;
    }
    for (int i = 0; i < m; ++i) match_[i] = is_call_[i] ? return_at[op_of_[i]] : call_at[op_of_[i]];
    // Node m is the list head sentinel.
    for (int i = 0; i < m; ++i) {
      next_[i] = i + 1 < m ? i + 1 : -1;
      prev_[i] = i == 0 ? m : i - 1;
    }
    next_[m] = m > 0 ? 0 : -1;
    answered_bits_.assign((n + 63) / 64, 0);
    unanswered_bits_.assign((unanswered_.size() + 63) / 64, 0);
    put_alive_.assign(unanswered_.size(), 0);
    for (int u = 0; u < static_cast<int>(unanswered_.size()); ++u) {
      if (unanswered_[u].kind != Kind::kPut) continue;
      put_alive_[u] = unanswered_[u].value != ValueNames::kDead;
      if (!put_alive_[u]) dead_puts_.push_back(u);
    }
  }

  Verdict run(std::uint64_t& budget) {
    const int head = static_cast<int>(op_of_.size());
    ValueId state = values_.name(initial_);  // initial_ outlives the search's names
    bool after_unanswered = false;  // the last move linearized an unanswered operation
    int entry = next_[head];
    // -1 while trying answered calls; then the next unanswered operation to
    // try, among those invoked by `frontier` (the first remaining return).
    int unanswered_at = -1;
    Time frontier = 0;
    while (next_[head] != -1) {
      // Passed over without a step: an unanswered operation that could not
      // change the state here, or that the rules above leave out.
      if (unanswered_at >= 0 && unanswered_at < static_cast<int>(unanswered_.size()) &&
          unanswered_[unanswered_at].invoked <= frontier && !worth_trying(unanswered_at, state, after_unanswered)) {
        ++unanswered_at;
        continue;
      }
      if (budget == 0) return Verdict::kUnknown;
      --budget;
      if (unanswered_at < 0) {
        if (is_call_[entry]) {
          if (try_answered(entry, state, after_unanswered)) entry = next_[head];
          else entry = next_[entry];
        } else {
          frontier = answered_[op_of_[entry]].completed;
          unanswered_at = 0;
        }
      } else if (unanswered_at < static_cast<int>(unanswered_.size()) &&
                 unanswered_[unanswered_at].invoked <= frontier) {
        if (try_unanswered(unanswered_at, frontier, state, after_unanswered)) {
          entry = next_[head];
          unanswered_at = -1;
        } else {
          ++unanswered_at;
        }
      } else {
        // No move left: undo the last one and try the next after it.
        if (stack_.empty()) return Verdict::kNotLinearizable;
        if (!remembering_) remember_path(state);
        const Frame f = stack_.back();
        stack_.pop_back();
        state = f.state;
        after_unanswered = f.after_unanswered;
        if (f.entry >= 0) {
          unmark_answered(op_of_[f.entry]);
          unlift(f.entry);
          entry = next_[f.entry];
          unanswered_at = -1;
        } else {
          unanswered_bits_[f.unanswered / 64] &= ~(1ULL << (f.unanswered % 64));
          frontier = f.frontier;
          unanswered_at = f.unanswered + 1;
        }
      }
    }
    return Verdict::kLinearizable;
  }

 private:
  using ValueId = ValueNames::Id;

  // An operation as the search moves it: its values by number.
  struct Move {
    Time invoked, completed;
    std::string_view appended;  // an append's argument
    ValueId value;              // put, cas: the value written
    ValueId expected;           // cas: the value it must find
    ValueId output;             // an answered get: the value read
    Kind kind;
    bool answered, cas_ok;
  };
  Move move_of(const SearchOp& op) {
    Move m{op.invoked, op.completed, {}, ValueNames::kDead, ValueNames::kDead, ValueNames::kDead,
           op.kind, op.answered(), op.cas_ok};
    if (op.kind == Kind::kAppend) m.appended = op.value;
    if (op.kind == Kind::kPut || op.kind == Kind::kCas) m.value = values_.name(op.value);
    // Found without a search: the values were added in this order (load()).
    if (op.kind == Kind::kCas) m.expected = values_.added_name(added_++);
    if (op.kind == Kind::kGet && op.answered()) m.output = values_.added_name(added_++);
    return m;
  }

  struct Frame {
    int entry;              // the answered call linearized, or -1
    int unanswered;         // the unanswered operation linearized, or -1
    ValueId state;          // the state before this move
    bool after_unanswered;  // before this move
    Time frontier;          // the frontier an unanswered move was taken at
    int high;               // the highest answered operation linearized, after this move (-1: none)
  };

  // The register's sequential specification. Returns false when `m` cannot
  // take effect in `state` with the answer it gave; otherwise sets `next`
  // (to `state` for reads and failed compare-and-sets, which change nothing).
  bool step(const Move& m, ValueId state, ValueId& next) {
    next = state;
    switch (m.kind) {
      case Kind::kGet: return !m.answered || m.output == state;
      case Kind::kPut: next = m.value; return true;
      case Kind::kAppend: next = values_.appended(state, m.appended); return true;
      case Kind::kCas:
        if (!m.answered) {
          if (state == m.expected) next = m.value;
          return true;
        }
        if (m.cas_ok) {
          if (state != m.expected) return false;
          next = m.value;
          return true;
        }
        return state != m.expected;
    }
    return false;
  }

  int high() const { return stack_.empty() ? -1 : stack_.back().high; }

  bool try_answered(int entry, ValueId& state, bool& after_unanswered) {
    const int op = op_of_[entry];
    if (after_unanswered && answered_[op].kind == Kind::kPut) return false;
    ValueId next;
    if (!step(answered_[op], state, next)) return false;
    mark_answered(op);
    const int high_after = std::max(op, high());
    if (!remember(next, high_after, false)) {
      unmark_answered(op);
      return false;
    }
    stack_.push_back({entry, -1, state, after_unanswered, 0, high_after});
    state = next;
    after_unanswered = false;
    lift(entry);
    return true;
  }

  // Whether linearizing unanswered operation `u` now could change the state
  // and is allowed by the rules; cheap, no new state is computed.
  bool worth_trying(int u, ValueId state, bool after_unanswered) const {
    const Move& m = unanswered_[u];
    if (unanswered_bits_[u / 64] >> (u % 64) & 1) return false;
    if (m.kind == Kind::kPut) return !after_unanswered && (put_alive_[u] || first_unused_dead_put(u));
    if (state == ValueNames::kDead) return false;  // an append keeps it dead, a compare-and-set cannot find it
    return m.kind != Kind::kCas || state == m.expected;
  }

  bool try_unanswered(int u, Time frontier, ValueId& state, bool& after_unanswered) {
    if (!remembering_) remember_path(state);
    ValueId next;
    step(unanswered_[u], state, next);  // always legal: it has no answer to match
    if (next == state) return false;    // changes nothing
    unanswered_bits_[u / 64] |= 1ULL << (u % 64);
    if (!remember(next, high(), true)) {
      unanswered_bits_[u / 64] &= ~(1ULL << (u % 64));
      return false;
    }
    stack_.push_back({-1, u, state, after_unanswered, frontier, high()});
    state = next;
    after_unanswered = true;
    return true;
  }

  // Unanswered puts of a dead value all lead to the dead state, from any
  // state: any one of them can stand in for another invoked later, so only
  // the earliest not yet linearized is tried.
  bool first_unused_dead_put(int u) const {
    for (int d : dead_puts_)
      if (!(unanswered_bits_[d / 64] >> (d % 64) & 1)) return d == u;
    return false;
  }

  void lift(int call) {
    const int ret = match_[call];
    next_[prev_[call]] = next_[call];
    if (next_[call] != -1) prev_[next_[call]] = prev_[call];
    next_[prev_[ret]] = next_[ret];
    if (next_[ret] != -1) prev_[next_[ret]] = prev_[ret];
  }
  void unlift(int call) {
    const int ret = match_[call];
    if (next_[ret] != -1) prev_[next_[ret]] = ret;
    next_[prev_[ret]] = ret;
    if (next_[call] != -1) prev_[next_[call]] = call;
    next_[prev_[call]] = call;
  }

  // Whether the configuration the move leads to (the current sets, `state`,
  // `after_unanswered`) is new, remembering it; a configuration subsumed by
  // one already explored cannot lead anywhere new.
  bool remember(ValueId state, int high, bool after_unanswered) {
    if (!remembering_) return true;  // see remember_path
    std::span<const std::uint64_t> c_words;
    if (high >= low_) {
      const auto from = static_cast<std::size_t>(low_ / 64), to = static_cast<std::size_t>(high / 64) + 1;
      c_words = std::span<const std::uint64_t>(answered_bits_).subspan(from, to - from);
    }
    std::size_t p_from = 0, p_to = unanswered_bits_.size();
    while (p_from < p_to && unanswered_bits_[p_from] == 0) ++p_from;
    while (p_to > p_from && unanswered_bits_[p_to - 1] == 0) --p_to;
    return seen_.insert(low_, c_words, state, static_cast<int>(p_from),
                        std::span<const std::uint64_t>(unanswered_bits_).subspan(p_from, p_to - p_from),
                        after_unanswered);
  }
  // Until the first undo or the first unanswered move, every configuration
  // explored lies on the stack's path, each after an answered move, so each
  // has a set of answered operations none before it had and none is
  // subsumed: remember() could only answer yes, and remembers nothing until
  // then (a history the first path linearizes with answered moves alone
  // costs no table). At that point the path's configurations are
  // remembered here, in the order they were reached, as remember() would
  // have: from then on the table is the same. `state` is the state after
  // the last move on the stack.
  void remember_path(ValueId state) {
    remembering_ = true;
    std::fill(answered_bits_.begin(), answered_bits_.end(), 0);
    std::fill(unanswered_bits_.begin(), unanswered_bits_.end(), 0);
    low_ = 0;
    for (std::size_t k = 0; k < stack_.size(); ++k) {
      const Frame& f = stack_[k];
      if (f.entry >= 0) mark_answered(op_of_[f.entry]);
      else unanswered_bits_[f.unanswered / 64] |= 1ULL << (f.unanswered % 64);
      remember(k + 1 < stack_.size() ? stack_[k + 1].state : state, f.high, f.entry < 0);
    }
  }
  bool marked(int op) const { return (answered_bits_[op / 64] >> (op % 64)) & 1; }
  // Invariant: low_ is the smallest answered operation not linearized (every
  // one below it is), so configurations only carry the bits from low_ up.
  void mark_answered(int op) {
    answered_bits_[op / 64] |= 1ULL << (op % 64);
    while (low_ < static_cast<int>(answered_.size()) && marked(low_)) ++low_;
  }
  void unmark_answered(int op) {
    answered_bits_[op / 64] &= ~(1ULL << (op % 64));
    low_ = std::min(low_, op);
  }

  ValueNames values_;  // first: the moves below hold its numbers
  std::size_t added_ = 0;  // findable values named by move_of() so far
  std::vector<Move> answered_, unanswered_;      // each in invocation order
  std::vector<int> op_of_, match_, next_, prev_;  // the answered operations' list
  std::vector<std::uint8_t> is_call_;               // by list node: 1 for a call, 0 for a return
  std::vector<std::pair<Time, int>> returns_;       // load()'s, kept for their storage
  std::vector<int> call_at_, return_at_;
  std::vector<std::uint64_t> answered_bits_, unanswered_bits_;  // linearized: C and P
  int low_ = 0;
  std::vector<Frame> stack_;
  bool remembering_ = false;  // see remember_path
  std::vector<int> dead_puts_;   // the unanswered puts of a dead value, in invocation order
  std::vector<std::uint8_t> put_alive_;  // by unanswered operation: 1 for a put of a value not dead
  SeenConfigurations seen_;
  // The check under way: its operations, the register's value before them.
  std::span<const SearchOp> ops_;
  std::string initial_;
  // By answered_ and unanswered_ entry: the operation's place in ops_.
  std::vector<std::uint32_t> answered_from_, unanswered_from_;
  std::size_t longest_ = 0;  // see longest()
};

// One key's operations (`ops`, in invocation order) checked window by
// window. A window ends at a quiet moment: where the next operation was
// invoked after every answered one before it had completed. Real-time order
// puts every answered operation before such a cut ahead of every operation
// after it, so a witness (a legal sequence that respects real-time order)
// can be built a window at a time, each window's from the register value
// the witness so far leaves, its unanswered operations taking effect in it
// or never.
//
// The first path is every answered operation in invocation order, no
// unanswered one: it is the search's own first path (its first move is
// always the first call left in its list, and while each is legal that is
// the next answered operation in invocation order: every earlier one is
// lifted with its return, and a return follows its call), taken on the
// values themselves at one step per answered operation. A dead value
// behaves as one there too: it is never equal to a findable one, and
// appending to it never makes one. The first path runs on across windows;
// only a window where it is stuck is searched, so a long history is
// searched in pieces a few operations long, not as one: the search's
// set-up and its table grow with the operations it is given (the Raft
// hour's keys have 14,000 each).
//
// Where a window has no witness from that value, the windows before it may
// have chosen wrongly. Tried in turn, each search running to this window's
// end:
//   - from 1, 2, 4 and 8 windows back (two concurrent writes no read told
//     apart, taken in the wrong order, leave the wrong value);
//   - from the latest window whose witness left an unanswered write out,
//     if older (a read here shows that it did take effect);
//   - from the start: another linearization of everything before.
// That last search decides when it finds no witness: any linearization of
// the whole history begins with one of the operations up to the cut (each
// later one was invoked after every answered one ahead of the cut had
// completed, so it comes after them all; an unanswered one ahead of the cut
// placed later is one left out), so a prefix with none means a history with
// none. A witness any of them finds lets the windows go on from its end.
// Every step counts against the budget (the first path's one per answered
// operation too), and a search that runs out ends the check undecided.
Verdict check_in_windows(KeySearch& search, std::span<const SearchOp> ops, std::uint64_t& budget) {
  const std::size_t n = ops.size();
  // The witness so far covers ops[0, p): `value` is the register after it.
  // The latest windows' starts on it, with the register's value there: the
  // current window is the one `windows` counts (at least one), the one
  // before it at windows - 1, and so on back to the last kRecent.
  struct WindowStart {
    std::size_t at = 0;
    std::string value;
  };
  constexpr std::size_t kRecent = 8;
  std::array<WindowStart, kRecent> recent;
  std::size_t windows = 1;  // recent[0]: ops[0], the register empty
  const auto window = [&](std::size_t back) -> WindowStart& { return recent[(windows - 1 - back) % kRecent]; };
  std::string value;
  // The current window holds an unanswered write, which the first path
  // (answered operations in invocation order) leaves out.
  bool writes_left_out = false;
  // The latest window whose witness left an unanswered write out, and the
  // register's value before it on the witness.
  WindowStart reopen;
  bool can_reopen = false;
  Time last_answer = std::numeric_limits<Time>::min();  // the latest answer among ops[0, p)
  std::size_t searched = 0;  // operations given to the searches so far, counted once per search
  const auto is_cut = [&](std::size_t p) { return p == n || last_answer < ops[p].invoked; };
  // The current window ends at `at`; its witness left an unanswered write
  // out if `left_out`. The next starts there, from `value`.
  const auto next_window = [&](std::size_t at, bool left_out) {
    if (left_out) {
      reopen = window(0);
      can_reopen = true;
    }
    ++windows;
    window(0).at = at;
    window(0).value = value;
    writes_left_out = false;
  };
  for (std::size_t p = 0; p < n; ++p) {
    if (p > window(0).at && is_cut(p)) next_window(p, writes_left_out);  // its witness: the first path
    const SearchOp& op = ops[p];
    if (!op.answered()) {
      writes_left_out |= op.kind != Kind::kGet;
      continue;
    }
    last_answer = std::max(last_answer, op.completed);
    if (budget == 0) return Verdict::kUnknown;
    --budget;  // the search's step for it: linearized at once
    if (take_effect_answered(op, value)) continue;
    // The first path is stuck: search the window, to its end; then from
    // further back.
    std::size_t cut = p + 1;
    for (; !is_cut(cut); ++cut)
      if (ops[cut].answered()) last_answer = std::max(last_answer, ops[cut].completed);
    // A first window that is most of the history is searched to its end:
    // the plain search of it all (a later window could otherwise need it
    // searched again). So is the rest of any history whose windows have
    // needed searches over more than twice its operations (many concurrent
    // clients waiting out an outage leave few quiet moments): the windows
    // would cost more than the one search.
    if ((window(0).at == 0 && 2 * cut > n) || searched > 2 * n) return search.check(ops, budget);
    const auto search_from = [&](std::size_t at, std::string_view before) {
      searched += cut - at;
      return search.check(ops.subspan(at, cut - at), budget, before);
    };
    Verdict v = Verdict::kNotLinearizable;
    std::size_t back = 0, from = window(0).at;  // the search's first operation
    for (; back < std::min(windows, kRecent); back = 2 * back + 1) {
      from = window(back).at;
      v = search_from(from, window(back).value);
      if (v != Verdict::kNotLinearizable) break;
    }
    if (v == Verdict::kLinearizable) {
      windows -= back;  // the windows after it are merged into it
    } else if (v == Verdict::kNotLinearizable && can_reopen && reopen.at < from) {
      from = reopen.at;
      v = search_from(from, reopen.value);
      if (v == Verdict::kLinearizable) {
        windows = 1;
        window(0) = reopen;
      }
    }
    if (v == Verdict::kNotLinearizable && from > 0) {
      v = search_from(0, {});
      from = 0;
      windows = 1;
      window(0).at = 0;
      window(0).value.clear();
    }
    if (v != Verdict::kLinearizable) return v;  // from the start: decided; or out of budget
    const bool left_out = search.witness_end(value);
    // A witness from `from` replaces the one the reopening point's value came from.
    if (can_reopen && reopen.at >= from) can_reopen = false;
    next_window(cut, left_out);
    p = cut - 1;
  }
  return Verdict::kLinearizable;
}

// `ops` in any order: sorted into invocation order (ties by client) here.
Verdict check_key(KeySearch& search, std::vector<SearchOp>& ops, std::uint64_t& budget) {
  // Ordered strictly already (the recorded history nearly always is): the
  // order is the only one a sort could give.
  const bool strictly_ordered =
      std::adjacent_find(ops.begin(), ops.end(), [](const SearchOp& a, const SearchOp& b) { return !search_before(a, b); }) ==
      ops.end();
  if (!strictly_ordered) std::sort(ops.begin(), ops.end(), search_before);
  return check_in_windows(search, ops, budget);
}

Verdict check_key(const std::vector<KvOperation>& ops, std::uint64_t& budget) {
  std::vector<SearchOp> views;
  views.reserve(ops.size());
  for (const auto& op : ops) views.push_back(search_op(op));
  KeySearch search;
  return check_key(search, views, budget);
}

// The operations visible at time `cut`: invoked by then; answers after it
// are not yet known, so those operations count as unanswered.
std::vector<KvOperation> prefix_at(const std::vector<KvOperation>& ops, Time cut) {
  std::vector<KvOperation> out;
  for (const auto& op : ops) {
    if (op.invoked > cut) continue;
    KvOperation o = op;
    if (o.completed > cut) {
      o.completed = KvOperation::kNever;
      o.output.clear();
    }
    out.push_back(std::move(o));
  }
  return out;
}

bool fails(const std::vector<KvOperation>& ops, std::uint64_t budget, std::size_t& checks) {
  ++checks;
  return check_key(ops, budget) == Verdict::kNotLinearizable;
}

// A read or a failed compare-and-set: an operation that only observes the
// register. Removing one removes a constraint and changes nothing else.
bool observes_only(const KvOperation& op) {
  return op.kind == Kind::kGet || (op.kind == Kind::kCas && op.answered() && !op.cas_ok);
}

// Drops the reads (and failed compare-and-sets) of the failing `ops` that the
// failure does not need: the result is what removing them one at a time
// from the last to the first would leave (each removed if the history still
// fails without it), found with far fewer checks.
//
// Number the reads r_1 .. r_m in order. One at a time from the end, the
// reads above the next one kept are removed in a row: with the reads above
// r_p decided (K, those kept), r_p .. r_{j+1} all go while the history with
// r_1 .. r_j and K still fails, and r_j stays when the history with only
// r_1 .. r_{j-1} and K passes. Removing a read only removes a constraint,
// so "the history with r_1 .. r_j and K fails" holds from some least j on:
// a binary search finds that j, the next read kept. The checks made are
// about log2(m) per read kept (usually one or two) and one more, where one
// at a time made m, each over the whole prefix: the square of its length.
// Where every check is decided the two keep the same reads. A check that
// runs out of its budget counts as passing, here as there; removing reads
// can make a search longer, so such checks break the monotony above, and
// the reads kept can then differ from the one-at-a-time pass's.
std::vector<KvOperation> drop_unneeded_reads(const std::vector<KvOperation>& ops, std::uint64_t budget_per_try,
                                             std::size_t& checks) {
  std::vector<std::size_t> reads;  // positions in ops of r_1 .. r_m
  for (std::size_t i = 0; i < ops.size(); ++i)
    if (observes_only(ops[i])) reads.push_back(i);
  std::vector<bool> kept(ops.size(), false);  // the reads decided needed (K)
  // The history with r_1 .. r_j, K, and every other operation, in order.
  auto with_reads_through = [&](std::size_t j) {
    std::vector<KvOperation> out;
    out.reserve(ops.size());
    std::size_t next_read = 0;  // reads[next_read] is the next read at or after i
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (next_read < reads.size() && reads[next_read] == i) {
        if (next_read++ >= j && !kept[i]) continue;
      }
      out.push_back(ops[i]);
    }
    return out;
  };
  std::size_t undecided = reads.size();  // r_1 .. r_undecided are not decided yet
  while (undecided > 0) {
    // None of them needed (the usual end, after a read or two kept): one
    // check, not a search's.
    if (fails(with_reads_through(0), budget_per_try, checks)) break;
    // The least j in (0, undecided] at which the history fails; at
    // undecided it does (the reads above it kept or removed as decided).
    std::size_t lo = 1, hi = undecided;
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (fails(with_reads_through(mid), budget_per_try, checks)) hi = mid;
      else lo = mid + 1;
    }
    kept[reads[lo - 1]] = true;  // r_lo is needed: without it the history passes
    undecided = lo - 1;          // r_{lo+1} .. r_undecided removed
  }
  return with_reads_through(0);
}

}  // namespace

std::vector<KvOperation> minimize_witness(const std::vector<KvOperation>& ops, std::uint64_t budget_per_try,
                                          std::size_t* checks_made) {
  std::size_t checks = 0;
  // The earliest answer after which the history can no longer be linearized.
  std::vector<Time> cuts;
  for (const auto& op : ops)
    if (op.answered()) cuts.push_back(op.completed);
  std::sort(cuts.begin(), cuts.end());
  std::vector<KvOperation> best = ops;
  std::size_t lo = 0, hi = cuts.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    auto p = prefix_at(ops, cuts[mid]);
    if (fails(p, budget_per_try, checks)) {
      best = std::move(p);
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  best = drop_unneeded_reads(best, budget_per_try, checks);
  if (checks_made != nullptr) *checks_made = checks;
  return best;
}

std::string describe(const KvOperation& op) {
  auto t = [](Time x) { return x == KvOperation::kNever ? std::string("never") : fmt::format("{:.3f}ms", x / 1e6); };
  std::string what;
  switch (op.kind) {
    case KvOperation::Kind::kGet: what = fmt::format("get({}) -> {}", op.key, op.answered() ? "\"" + op.output + "\"" : "?"); break;
    case KvOperation::Kind::kPut: what = fmt::format("put({}, \"{}\")", op.key, op.value); break;
    case KvOperation::Kind::kAppend: what = fmt::format("append({}, \"{}\")", op.key, op.value); break;
    case KvOperation::Kind::kCas:
      what = fmt::format("cas({}, \"{}\" -> \"{}\") -> {}", op.key, op.expected, op.value,
                         op.answered() ? (op.cas_ok ? "ok" : "failed") : "?");
      break;
  }
  return fmt::format("client {} {} [{}, {}]", op.client, what, t(op.invoked), t(op.completed));
}

namespace {

// Checks one key's operations (`ops`, in the order given: copies of them in
// that order make the witness; `search` is reused from key to key) into
// `result`; false once the history is known not to be linearizable (the
// remaining keys need not be checked).
template <class Copies>
bool check_one_key(LinearizabilityResult& result, std::uint64_t& budget, std::uint64_t step_budget,
                   std::string_view key, KeySearch& search, std::vector<SearchOp>& ops, Copies&& copies) {
  const std::uint64_t before = budget;
  const Verdict v = check_key(search, ops, budget);
  result.steps += before - budget;
  if (v == Verdict::kNotLinearizable) {
    result.verdict = v;
    result.key = std::string(key);
    result.witness = minimize_witness(copies(), std::max<std::uint64_t>(step_budget / 64, 100'000));
    return false;
  }
  if (v == Verdict::kUnknown && result.verdict == Verdict::kLinearizable) {
    result.verdict = v;
    result.key = std::string(key);
    budget = step_budget / 16;  // still try the remaining keys for a definite failure
  }
  return true;
}

}  // namespace

LinearizabilityResult check_linearizability(const KvHistory& history, std::uint64_t step_budget) {
  // Ordered: keys are checked in name order. The operations are not copied.
  std::map<std::string_view, std::vector<const KvOperation*>> by_key;
  for (const auto& op : history) by_key[op.key].push_back(&op);
  LinearizabilityResult result;
  std::uint64_t budget = step_budget;
  KeySearch search;
  std::vector<SearchOp> views;
  for (auto& [key, ops] : by_key) {
    views.clear();
    for (const KvOperation* op : ops) views.push_back(search_op(*op));
    const auto copies = [&] {
      std::vector<KvOperation> out;
      for (const KvOperation* op : ops) out.push_back(*op);
      return out;
    };
    if (!check_one_key(result, budget, step_budget, key, search, views, copies)) break;
  }
  result.longest_search = search.longest();
  return result;
}

LinearizabilityResult check_linearizability(const KvClientHistory& history, std::uint64_t step_budget) {
  // Read from the records as they are: each operation's strings are views
  // of the history's text pool, and of `written` for the values written
  // (derived, as the workload made them), never the wide KvOperation form.
  LinearizabilityResult result;
  std::uint64_t budget = step_budget;
  std::vector<const KvRecord*> records;
  std::string written;
  std::vector<std::size_t> written_ends;  // by record: where its written value ends in `written`
  std::vector<SearchOp> ops;
  KeySearch search;
  for (const std::uint32_t key : history.keys_in_name_order()) {
    records.clear();
    history.for_each_record_of(key, [&](const KvRecord& r) { records.push_back(&r); });
    // The written values first, end to end, so the views taken after stay valid.
    written.clear();
    written_ends.clear();
    for (const KvRecord* r : records) {
      if (r->kind() != Kind::kGet) append_written_value(written, r->client, r->sequence());
      written_ends.push_back(written.size());
    }
    ops.clear();
    for (std::size_t k = 0; k < records.size(); ++k) {
      const KvRecord* r = records[k];
      SearchOp op;
      op.invoked = r->invoked;
      op.completed = r->completed;
      op.client = r->client;
      op.kind = r->kind();
      op.cas_ok = r->cas_ok();
      const std::size_t from = k == 0 ? 0 : written_ends[k - 1];
      op.value = std::string_view(written).substr(from, written_ends[k] - from);  // empty for a get
      if (op.kind == Kind::kCas) op.expected = history.text(r->text);
      if (op.kind == Kind::kGet) op.output = history.text(r->text);
      ops.push_back(op);
    }
    const auto copies = [&] {
      std::vector<KvOperation> out;
      for (const KvRecord* r : records) out.push_back(history.operation(*r));
      return out;
    };
    if (!check_one_key(result, budget, step_budget, kv_key_name(key), search, ops, copies)) break;
  }
  result.longest_search = search.longest();
  return result;
}

}  // namespace faultline

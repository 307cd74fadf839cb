#include "sim/checkers/linearizability.hpp"

#include "sim/checkers/linearizability_seen.hpp"

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace faultline {

namespace {

using Verdict = LinearizabilityResult::Verdict;

// The register's sequential specification. State: the key's value ("" when
// absent). Returns false when `op` cannot take effect in `state` with the
// answer it gave; otherwise sets `changed`, and `next` when it is set: reads
// and failed compare-and-sets leave the state as it is, and are not copied.
bool step(const KvOperation& op, const std::string& state, std::string& next, bool& changed) {
  using K = KvOperation::Kind;
  changed = false;
  switch (op.kind) {
    case K::kGet: return !op.answered() || op.output == state;
    case K::kPut: changed = true; next = op.value; return true;
    case K::kAppend: changed = true; next = state; next += op.value; return true;
    case K::kCas:
      if (!op.answered()) {
        if (state == op.expected) {
          changed = true;
          next = op.value;
        }
        return true;
      }
      if (op.cas_ok) {
        if (state != op.expected) return false;
        changed = true;
        next = op.value;
        return true;
      }
      return state != op.expected;
  }
  return false;
}

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
class KeySearch {
 public:
  // `ops` in invocation order, pointing into a history that outlives the search.
  explicit KeySearch(const std::vector<const KvOperation*>& ops) {
    for (const KvOperation* op : ops) {
      if (op->answered()) answered_.push_back(op);
      // An unanswered get neither constrains nor changes anything.
      else if (op->kind != KvOperation::Kind::kGet) unanswered_.push_back(op);
    }
    const int n = static_cast<int>(answered_.size());
    struct E {
      Time t;
      int kind;  // 0 call, 1 return: calls first at equal times (concurrent)
      int op;
    };
    std::vector<E> es;
    for (int i = 0; i < n; ++i) {
      es.push_back({answered_[i]->invoked, 0, i});
      es.push_back({answered_[i]->completed, 1, i});
    }
    std::sort(es.begin(), es.end(), [](const E& a, const E& b) {
      if (a.t != b.t) return a.t < b.t;
      if (a.kind != b.kind) return a.kind < b.kind;
      return a.op < b.op;
    });
    const int m = static_cast<int>(es.size());
    op_of_.resize(m);
    is_call_.resize(m);
    match_.resize(m);
    next_.resize(m + 1);
    prev_.resize(m + 1);
    std::vector<int> call_at(n), return_at(n);
    for (int i = 0; i < m; ++i) {
      op_of_[i] = es[i].op;
      is_call_[i] = es[i].kind == 0;
      (is_call_[i] ? call_at : return_at)[es[i].op] = i;
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
    // What a read or compare-and-set could find, and the one dead state:
    // longer than all of them, so a prefix of none.
    std::size_t longest = 0;
    for (const KvOperation* op : ops) {
      const std::string* seen = op->kind == KvOperation::Kind::kCas                   ? &op->expected
                                : op->kind == KvOperation::Kind::kGet && op->answered() ? &op->output
                                                                                        : nullptr;
      if (!seen) continue;
      findable_.push_back(*seen);
      longest = std::max(longest, seen->size());
    }
    std::sort(findable_.begin(), findable_.end());
    findable_.erase(std::unique(findable_.begin(), findable_.end()), findable_.end());
    dead_.assign(longest + 1, '\xff');
    put_alive_.resize(unanswered_.size());
    for (int u = 0; u < static_cast<int>(unanswered_.size()); ++u) {
      if (unanswered_[u]->kind != KvOperation::Kind::kPut) continue;
      put_alive_[u] = alive(unanswered_[u]->value);
      if (!put_alive_[u]) dead_puts_.push_back(u);
    }
  }

  Verdict run(std::uint64_t& budget) {
    const int head = static_cast<int>(op_of_.size());
    std::string state;
    if (!alive(state)) state = dead_;
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
          unanswered_[unanswered_at]->invoked <= frontier && !worth_trying(unanswered_at, state, after_unanswered)) {
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
          frontier = answered_[op_of_[entry]]->completed;
          unanswered_at = 0;
        }
      } else if (unanswered_at < static_cast<int>(unanswered_.size()) &&
                 unanswered_[unanswered_at]->invoked <= frontier) {
        if (try_unanswered(unanswered_at, frontier, state, after_unanswered)) {
          entry = next_[head];
          unanswered_at = -1;
        } else {
          ++unanswered_at;
        }
      } else {
        // No move left: undo the last one and try the next after it.
        if (stack_.empty()) return Verdict::kNotLinearizable;
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        if (f.changed) state = std::move(f.state);
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

  std::uint64_t configurations() const { return seen_.size(); }

 private:
  struct Frame {
    int entry;          // the answered call linearized, or -1
    int unanswered;     // the unanswered operation linearized, or -1
    std::string state;  // the state before this move, when the move changed it
    bool changed;
    bool after_unanswered;  // before this move
    Time frontier;          // the frontier an unanswered move was taken at
    int high;               // the highest answered operation linearized, after this move (-1: none)
  };

  int high() const { return stack_.empty() ? -1 : stack_.back().high; }

  bool try_answered(int entry, std::string& state, bool& after_unanswered) {
    const int op = op_of_[entry];
    if (after_unanswered && answered_[op]->kind == KvOperation::Kind::kPut) return false;
    bool changed = false;
    if (!step(*answered_[op], state, after_, changed)) return false;
    if (changed && !alive(after_)) after_ = dead_;
    mark_answered(op);
    const int high_after = std::max(op, high());
    if (!remember(changed ? after_ : state, high_after, false)) {
      unmark_answered(op);
      return false;
    }
    stack_.push_back({entry, -1, changed ? std::move(state) : std::string(), changed, after_unanswered, 0, high_after});
    if (changed) state.swap(after_);
    after_unanswered = false;
    lift(entry);
    return true;
  }

  // Whether linearizing unanswered operation `u` now could change the state
  // and is allowed by the rules; cheap, no new state is computed.
  bool worth_trying(int u, const std::string& state, bool after_unanswered) const {
    using K = KvOperation::Kind;
    const KvOperation& op = *unanswered_[u];
    if (unanswered_bits_[u / 64] >> (u % 64) & 1) return false;
    if (op.kind == K::kPut) return !after_unanswered && (put_alive_[u] || first_unused_dead_put(u));
    if (state == dead_) return false;  // an append keeps it dead, a compare-and-set cannot find it
    return op.kind != K::kCas || state == op.expected;
  }

  bool try_unanswered(int u, Time frontier, std::string& state, bool& after_unanswered) {
    bool changed = false;
    step(*unanswered_[u], state, after_, changed);  // always legal: it has no answer to match
    if (changed && !alive(after_)) after_ = dead_;
    if (!changed || after_ == state) return false;
    unanswered_bits_[u / 64] |= 1ULL << (u % 64);
    if (!remember(after_, high(), true)) {
      unanswered_bits_[u / 64] &= ~(1ULL << (u % 64));
      return false;
    }
    stack_.push_back({-1, u, std::move(state), true, after_unanswered, frontier, high()});
    state.swap(after_);
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

  // Whether some get or compare-and-set could still find `value`, or it with appends.
  bool alive(const std::string& value) const {
    const auto it = std::lower_bound(findable_.begin(), findable_.end(), value);
    return it != findable_.end() && it->starts_with(value);
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
  bool remember(const std::string& state, int high, bool after_unanswered) {
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

  std::vector<const KvOperation*> answered_, unanswered_;  // each in invocation order
  std::vector<int> op_of_, match_, next_, prev_;           // the answered operations' list
  std::vector<bool> is_call_;
  std::vector<std::uint64_t> answered_bits_, unanswered_bits_;  // linearized: C and P
  int low_ = 0;
  std::vector<Frame> stack_;
  std::string after_;  // the next state, reused from step to step
  std::vector<std::string> findable_;  // sorted: every answered get's output, every cas's expected value
  std::string dead_;                   // the state every dead value is replaced by
  std::vector<int> dead_puts_;         // the unanswered puts of a dead value, in invocation order
  std::vector<bool> put_alive_;        // by unanswered operation: a put of a value not dead
  SeenConfigurations seen_;
};

Verdict check_key(std::vector<const KvOperation*> ops, std::uint64_t& budget) {
  std::sort(ops.begin(), ops.end(), [](const KvOperation* a, const KvOperation* b) { return invoked_before(*a, *b); });
  return KeySearch(ops).run(budget);
}

Verdict check_key(const std::vector<KvOperation>& ops, std::uint64_t& budget) {
  std::vector<const KvOperation*> pointers;
  pointers.reserve(ops.size());
  for (const auto& op : ops) pointers.push_back(&op);
  return check_key(std::move(pointers), budget);
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

bool fails(const std::vector<KvOperation>& ops, std::uint64_t budget) {
  return check_key(ops, budget) == Verdict::kNotLinearizable;
}

std::vector<KvOperation> minimize(const std::vector<KvOperation>& ops, std::uint64_t budget_per_try) {
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
    if (fails(p, budget_per_try)) {
      best = std::move(p);
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  // Drop the reads (and failed compare-and-sets) the failure does not need.
  for (std::size_t i = best.size(); i-- > 0;) {
    const auto& op = best[i];
    const bool reads_only = op.kind == KvOperation::Kind::kGet || (op.kind == KvOperation::Kind::kCas && op.answered() && !op.cas_ok);
    if (!reads_only) continue;
    auto without = best;
    without.erase(without.begin() + static_cast<long>(i));
    if (fails(without, budget_per_try)) best = std::move(without);
  }
  return best;
}

}  // namespace

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

// Checks one key's operations into `result`; false once the history is known
// not to be linearizable (the remaining keys need not be checked).
bool check_one_key(LinearizabilityResult& result, std::uint64_t& budget, std::uint64_t step_budget,
                   std::string_view key, const std::vector<const KvOperation*>& ops) {
  const std::uint64_t before = budget;
  const Verdict v = check_key(ops, budget);
  result.steps += before - budget;
  if (v == Verdict::kNotLinearizable) {
    result.verdict = v;
    result.key = std::string(key);
    std::vector<KvOperation> copies;
    for (const KvOperation* op : ops) copies.push_back(*op);
    result.witness = minimize(copies, std::max<std::uint64_t>(step_budget / 64, 100'000));
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
  for (auto& [key, ops] : by_key)
    if (!check_one_key(result, budget, step_budget, key, ops)) break;
  return result;
}

LinearizabilityResult check_linearizability(const KvClientHistory& history, std::uint64_t step_budget) {
  LinearizabilityResult result;
  std::uint64_t budget = step_budget;
  bool failed = false;
  std::vector<const KvOperation*> pointers;
  history.for_each_key([&](const std::string& key, std::vector<KvOperation>& ops) {
    if (failed) return;
    pointers.clear();
    for (const auto& op : ops) pointers.push_back(&op);
    failed = !check_one_key(result, budget, step_budget, key, pointers);
  });
  return result;
}

}  // namespace faultline

#include "sim/checkers/linearizability.hpp"

#include <algorithm>
#include <map>
#include <span>
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

// The configurations the search has explored: (lowest unlinearized
// operation, the linearized-set bits from there on, state). Kept in flat
// arrays with an open-addressed index, so remembering one costs no
// allocation (there is one per search step). Looked up, never iterated.
class SeenConfigurations {
 public:
  // Remembers the configuration; false when it was already there.
  bool insert(std::uint64_t hash, int low, const std::uint64_t* words, std::size_t n, const std::string& state) {
    if (2 * (entries_.size() + 1) > slots_.size()) grow();
    std::size_t i = hash & (slots_.size() - 1);
    for (; slots_[i] >= 0; i = (i + 1) & (slots_.size() - 1))
      if (equal(entries_[static_cast<std::size_t>(slots_[i])], hash, low, words, n, state)) return false;
    slots_[i] = static_cast<std::int32_t>(entries_.size());
    entries_.push_back({hash, low, words_.size(), n, states_.size(), state.size()});
    words_.insert(words_.end(), words, words + n);
    states_ += state;
    return true;
  }

 private:
  struct Entry {
    std::uint64_t hash;
    int low;
    std::size_t words_at, words_n, state_at, state_n;
  };
  bool equal(const Entry& e, std::uint64_t hash, int low, const std::uint64_t* words, std::size_t n,
             const std::string& state) const {
    return e.hash == hash && e.low == low && e.words_n == n && e.state_n == state.size() &&
           std::equal(words, words + n, words_.begin() + static_cast<std::ptrdiff_t>(e.words_at)) &&
           std::string_view(states_).substr(e.state_at, e.state_n) == state;
  }
  void place(std::int32_t e) {
    std::size_t i = entries_[static_cast<std::size_t>(e)].hash & (slots_.size() - 1);
    while (slots_[i] >= 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = e;
  }
  void grow() {
    slots_.assign(std::max<std::size_t>(64, slots_.size() * 2), -1);
    for (std::size_t e = 0; e < entries_.size(); ++e) place(static_cast<std::int32_t>(e));
  }

  std::vector<Entry> entries_;
  std::vector<std::uint64_t> words_;
  std::string states_;
  std::vector<std::int32_t> slots_;  // entry index, or -1: empty
};

// The search over one key's operations (Wing & Gong with memoization).
// Entries are the calls and returns in time order in a doubly linked list; a
// call may be linearized (lifted out with its return) when its step is legal,
// a return reached before its call was linearized forces backtracking.
class KeySearch {
 public:
  // `ops` point into a history that outlives the search.
  explicit KeySearch(std::vector<const KvOperation*> ops) : ops_(std::move(ops)) {
    const int n = static_cast<int>(ops_.size());
    struct E {
      Time t;
      int kind;  // 0 call, 1 return: calls first at equal times (concurrent)
      int op;
    };
    std::vector<E> es;
    for (int i = 0; i < n; ++i) {
      es.push_back({ops_[i]->invoked, 0, i});
      es.push_back({ops_[i]->completed, 1, i});
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
    linearized_.assign((n + 63) / 64, 0);
  }

  Verdict run(std::uint64_t& budget) {
    const int head = static_cast<int>(op_of_.size());
    std::string state;
    int entry = next_[head];
    while (next_[head] != -1) {
      if (budget == 0) return Verdict::kUnknown;
      --budget;
      if (is_call_[entry]) {
        const int op = op_of_[entry];
        bool changed = false;
        if (step(*ops_[op], state, after_, changed) && remember(op, changed ? after_ : state)) {
          stack_.push_back({entry, changed ? std::move(state) : std::string(), changed,
                            max_stack_.empty() ? op : std::max(op, max_stack_.back())});
          max_stack_.push_back(stack_.back().max_op);
          if (changed) state.swap(after_);
          lift(entry);
          entry = next_[head];
        } else {
          entry = next_[entry];
        }
      } else {
        // A return whose call is not linearized: undo the last choice.
        if (stack_.empty()) return Verdict::kNotLinearizable;
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        max_stack_.pop_back();
        if (f.changed) state = std::move(f.state);
        unmark(op_of_[f.entry]);
        unlift(f.entry);
        entry = next_[f.entry];
      }
    }
    return Verdict::kLinearizable;
  }

 private:
  struct Frame {
    int entry;
    std::string state;  // the state before this step, when the step changed it
    bool changed;
    int max_op;
  };

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

  // Marks `op` linearized if (linearized set + op, state) is new; a state
  // already explored from the same set cannot lead anywhere new.
  bool remember(int op, const std::string& state) {
    mark(op);
    const int low = low_;
    const int high = max_stack_.empty() ? op : std::max(op, max_stack_.back());
    const auto words_begin = static_cast<std::size_t>(low / 64), words_end = static_cast<std::size_t>(high / 64) + 1;
    std::uint64_t h = static_cast<std::uint64_t>(low) * 0x9e3779b97f4a7c15ULL ^ std::hash<std::string>{}(state);
    for (std::size_t w = words_begin; w < words_end; ++w) h = (h ^ linearized_[w]) * 0xff51afd7ed558ccdULL;
    if (seen_.insert(h, low, &linearized_[words_begin], words_end - words_begin, state)) return true;
    unmark(op);
    return false;
  }
  bool marked(int op) const { return (linearized_[op / 64] >> (op % 64)) & 1; }
  // Invariant: low_ is the smallest operation not linearized (every one
  // below it is), so cache keys only carry the bits from low_ up.
  void mark(int op) {
    linearized_[op / 64] |= 1ULL << (op % 64);
    while (low_ < static_cast<int>(ops_.size()) && marked(low_)) ++low_;
  }
  void unmark(int op) {
    linearized_[op / 64] &= ~(1ULL << (op % 64));
    low_ = std::min(low_, op);
  }

  std::vector<const KvOperation*> ops_;
  std::vector<int> op_of_, match_, next_, prev_;
  std::vector<bool> is_call_;
  std::vector<std::uint64_t> linearized_;
  int low_ = 0;
  std::vector<Frame> stack_;
  std::vector<int> max_stack_;
  std::string after_;  // the next state, reused from step to step
  SeenConfigurations seen_;
};

Verdict check_key(std::vector<const KvOperation*> ops, std::uint64_t& budget) {
  std::sort(ops.begin(), ops.end(), [](const KvOperation* a, const KvOperation* b) { return invoked_before(*a, *b); });
  return KeySearch(std::move(ops)).run(budget);
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

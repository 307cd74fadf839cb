// What the linearizability checker's tests hold it to: a register's
// sequential execution, and a brute-force oracle over every order (so only
// for histories of a few operations).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "sim/checkers/kv_history.hpp"

namespace faultline::testing {

using K = KvOperation::Kind;

// Operation `o` takes effect on a register holding `state`, as a
// sequential execution would: a get reads it, a put or append writes it, a
// cas writes it only when it holds the expected value. An operation never
// answered has no output.
inline void take_effect(KvOperation& o, std::string& state) {
  switch (o.kind) {
    case K::kGet: o.output = state; break;
    case K::kPut: state = o.value; break;
    case K::kAppend: state += o.value; break;
    case K::kCas:
      o.cas_ok = state == o.expected;
      if (o.cas_ok) state = o.value;
      break;
  }
  if (!o.answered()) o.output.clear();
}

// The oracle: some order of all operations that respects real time (a before
// b when a answered before b was invoked) and the register's rules, where an
// unanswered operation may also be left out.
inline bool brute_force(const KvHistory& h) {
  const std::size_t n = h.size();
  for (std::uint32_t keep = 0; keep < (1u << n); ++keep) {
    bool keeps_answered = true;
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < n; ++i) {
      if (keep >> i & 1) idx.push_back(i);
      else if (h[i].answered()) keeps_answered = false;
    }
    if (!keeps_answered) continue;
    std::sort(idx.begin(), idx.end());
    do {
      bool ok = true;
      for (std::size_t a = 0; a < idx.size() && ok; ++a)
        for (std::size_t b = a + 1; b < idx.size() && ok; ++b)
          if (h[idx[b]].completed < h[idx[a]].invoked) ok = false;  // b finished before a began
      std::string state;
      for (std::size_t i : idx) {
        if (!ok) break;
        const auto& o = h[i];
        switch (o.kind) {
          case K::kGet: ok = !o.answered() || o.output == state; break;
          case K::kPut: state = o.value; break;
          case K::kAppend: state += o.value; break;
          case K::kCas:
            if (!o.answered()) { if (state == o.expected) state = o.value; }
            else if (o.cas_ok) { ok = state == o.expected; state = o.value; }
            else ok = state != o.expected;
            break;
        }
      }
      if (ok) return true;
    } while (std::next_permutation(idx.begin(), idx.end()));
  }
  return false;
}

}  // namespace faultline::testing

// The configurations the linearizability search has explored, for one key
// (Lowe 2017, "Testing for linearizability", section 5: memoization), with
// the subsumption that makes unanswered operations cheap.
//
// A configuration is (C, s, P, after_unanswered): the answered operations
// linearized so far (C), the register's value (s), the unanswered operations
// linearized so far (P) and whether the last one linearized was unanswered.
// An unanswered operation may take effect at any time after its invocation,
// or never, so a configuration with fewer of them used can do everything one
// with more can: (C, s, P', f') subsumes (C, s, P, f) when P' is a subset of
// P and f' is no more restricted than f (false, or both true). The search
// skips a configuration subsumed by one already explored: without this, k
// timed-out writes overwritten by later ones lead to the same (C, s) in up to
// 2^k ways (which of them took effect), each searched again.
//
// Kept in flat arrays with an open-addressed index on (C, s); each (C, s) has
// the list of (P, f) explored with it. Looked up, never iterated, so the
// search's result does not depend on the table's layout.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace faultline {

class SeenConfigurations {
 public:
  // C is given as the lowest answered operation not linearized (all below it
  // are) and the bit words of the linearized set from there (`c_words`, the
  // word holding bit c_low first; empty when nothing above c_low is
  // linearized). P as its words from word `p_first` on, trimmed of zero words
  // at both ends (empty for no unanswered operation linearized).
  //
  // Remembers the configuration and returns true, or returns false when an
  // explored configuration subsumes it (the same one included).
  // The register's value `state` is a number (the search names values).
  bool insert(int c_low, std::span<const std::uint64_t> c_words, std::uint32_t state, int p_first,
              std::span<const std::uint64_t> p_words, bool after_unanswered);

  // Configurations remembered (the explored ones none subsumed).
  std::uint64_t size() const { return variants_.size(); }
  // Forgets every configuration, keeping the storage (the next key's search).
  void clear();

 private:
  // One (C, s): where its words and state are, and its first (P, f).
  struct Group {
    std::uint64_t hash;
    std::size_t c_at;
    std::uint32_t c_n, state;
    std::int32_t c_low;
    std::int32_t first_variant;
  };
  // One (P, f) explored with a group's (C, s); the group's variants are a
  // list through `next` (-1 ends it).
  struct Variant {
    std::size_t p_at;
    std::int32_t next;
    std::int32_t p_first;
    std::uint32_t p_n;
    bool after_unanswered;
  };

  bool same_group(const Group& g, std::uint64_t hash, int c_low, std::span<const std::uint64_t> c_words,
                  std::uint32_t state) const;
  // Whether `v` subsumes (P, f).
  bool subsumes(const Variant& v, int p_first, std::span<const std::uint64_t> p_words, bool after_unanswered) const;
  void add_variant(Group& g, int p_first, std::span<const std::uint64_t> p_words, bool after_unanswered);
  void place(std::int32_t group);
  void grow();

  std::vector<Group> groups_;
  std::vector<Variant> variants_;
  std::vector<std::uint64_t> words_;  // C and P words of every group and variant
  std::vector<std::int32_t> slots_;  // group index, or -1: empty. At most half full.
};

}  // namespace faultline

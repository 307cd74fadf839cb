// The workload's compact history: what it gives back in the wide form the
// checker reads, the order keys come in, and that checking it gives what
// checking the same operations as one flat history gives.
#include <doctest/doctest.h>

#include <charconv>
#include <stdexcept>
#include <string>

#include "sim/checkers/kv_client_history.hpp"
#include "sim/checkers/linearizability.hpp"

using namespace faultline;
using K = KvOperation::Kind;

namespace {

KvRecord record(std::uint32_t client, std::uint32_t key, K kind, std::uint64_t sequence, Time invoked, Time completed) {
  KvRecord r;
  r.client = client;
  r.key = key;
  r.set(kind, sequence);
  r.invoked = invoked;
  r.completed = completed;
  return r;
}

}  // namespace

TEST_CASE("compact history: records come back as the operations they stand for") {
  KvClientHistory h(4, 16);
  const auto put = h.invoke(record(3, 12, K::kPut, 7, 100, 200));
  KvRecord read = record(5, 12, K::kGet, 1, 150, 250);
  read.text = h.add_text("3.7");
  const auto get = h.invoke(read);
  KvRecord swap = record(2, 1, K::kCas, KvRecord::kMaxSequence, 300, KvOperation::kNever);
  swap.text = h.add_text("3.7");
  swap.set_cas_ok(true);
  const auto cas = h.invoke(swap);

  const KvOperation p = h.operation(h.at(put));
  CHECK(p.key == "k12");
  CHECK(p.kind == K::kPut);
  CHECK(p.value == "3.7");  // client.sequence
  CHECK(p.expected.empty());
  CHECK(p.output.empty());
  CHECK(p.invoked == 100);
  CHECK(p.completed == 200);
  const KvOperation g = h.operation(h.at(get));
  CHECK(g.kind == K::kGet);
  CHECK(g.value.empty());
  CHECK(g.output == "3.7");
  const KvOperation c = h.operation(h.at(cas));
  CHECK(c.kind == K::kCas);
  CHECK(c.cas_ok);
  CHECK(c.expected == "3.7");
  CHECK(c.value == "2." + std::to_string(KvRecord::kMaxSequence));
  CHECK(!c.answered());
  // The kind and sequence share a word with cas_ok: setting one leaves the others.
  h.at(cas).set_cas_ok(false);
  CHECK(h.at(cas).kind() == K::kCas);
  CHECK(h.at(cas).sequence() == KvRecord::kMaxSequence);
  CHECK(!h.at(cas).cas_ok());
  CHECK(h.text(0).empty());
}

TEST_CASE("compact history: keys in name order, keys sharing a group kept apart") {
  // Two groups for five keys: k0, k2, k4 share one, k1, k3 the other.
  KvClientHistory h(2, 0);
  for (std::uint32_t key : {4u, 1u, 10u, 2u, 0u, 3u, 4u, 10u}) h.invoke(record(key, key, K::kPut, 1, key, key + 1));
  std::vector<std::string> order;
  std::vector<std::size_t> sizes;
  h.for_each_key([&](const std::string& key, std::vector<KvOperation>& ops) {
    order.push_back(key);
    sizes.push_back(ops.size());
    for (const auto& op : ops) CHECK(op.key == key);
  });
  CHECK(order == std::vector<std::string>{"k0", "k1", "k10", "k2", "k3", "k4"});
  CHECK(sizes == std::vector<std::size_t>{1, 1, 2, 1, 1, 2});
}

TEST_CASE("compact history: checked one key at a time, the same verdict, key and steps as the flat history") {
  KvClientHistory h(8, 0);
  // Key 1: a put, then a read of it, then a read of a value never written: not linearizable.
  // Key 0: fine. Key 9 shares key 1's group and is fine.
  h.invoke(record(1, 0, K::kPut, 1, 0, 10));
  h.invoke(record(1, 1, K::kPut, 2, 20, 30));
  h.invoke(record(4, 9, K::kPut, 1, 25, 35));
  KvRecord ok = record(2, 1, K::kGet, 1, 40, 50);
  ok.text = h.add_text("1.2");
  h.invoke(ok);
  KvRecord stale = record(3, 1, K::kGet, 1, 60, 70);
  stale.text = h.add_text("9.9");
  h.invoke(stale);
  const auto compact = check_linearizability(h);
  const auto flat = check_linearizability(flatten(h));
  REQUIRE(compact.verdict == LinearizabilityResult::Verdict::kNotLinearizable);
  CHECK(flat.verdict == compact.verdict);
  CHECK(compact.key == "k1");
  CHECK(flat.key == compact.key);
  CHECK(compact.steps == flat.steps);
  REQUIRE(!compact.witness.empty());
  CHECK(compact.witness.back().output == "9.9");
}

TEST_CASE("compact history: a stored text is returned as it was given") {
  KvTextPool pool;
  const auto a = pool.add("1.2");
  const auto b = pool.add("");
  const auto c = pool.add("1.23.4");
  CHECK(pool.text(a) == "1.2");
  CHECK(b == 0);
  CHECK(pool.text(b).empty());
  CHECK(pool.text(c) == "1.23.4");
}

TEST_CASE("a written value is the client's number and the request's number in decimal, as std::to_chars writes them") {
  // Written digit by digit from the last: every digit count of both numbers,
  // their largest values and appended after text already there.
  const std::uint64_t numbers[] = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 4096, 65535, 99999, 100000,
                                   1234567, 536870911, 4294967295ULL, 18446744073709551615ULL};
  int mismatches = 0;
  for (const std::uint64_t client : numbers) {
    if (client > 4294967295ULL) continue;
    for (const std::uint64_t sequence : numbers) {
      char text[48];
      char* end = std::to_chars(text, text + sizeof text, client).ptr;
      *end++ = '.';
      end = std::to_chars(end, text + sizeof text, sequence).ptr;
      const std::string expected(text, end);
      const auto c = static_cast<std::uint32_t>(client);
      if (kv_written_value(c, sequence) != expected) ++mismatches;
      std::string appended = "x";
      append_written_value(appended, c, sequence);
      if (appended != "x" + expected) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
  CHECK(kv_written_value(3, 17) == "3.17");
}

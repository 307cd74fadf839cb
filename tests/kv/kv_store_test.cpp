// The key-value state machine (protocols/kv/kv_store.hpp) and the table it
// keeps its keys and sessions in (protocols/kv/insert_only_table.hpp),
// against std::map oracles: the same values found, the same replies, the
// same snapshot bytes, whatever order keys arrive in.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "protocols/host/rng.hpp"
#include "protocols/kv/insert_only_table.hpp"
#include "protocols/kv/kv_store.hpp"

using namespace faultline;

namespace {

// Keys of every length from 0 to 20 bytes (so every piece of the hash and
// of the comparison: whole words, 4-, 2- and 1-byte tails), some differing
// only in their last byte or only in length, NUL bytes included.
std::string random_key(Rng& rng) {
  std::string key(rng.below(21), 'a');
  for (char& c : key) c = "ab\0k9"[rng.below(5)];
  return key;
}

}  // namespace

TEST_CASE("insert-only table: the values of a std::map under random keys and growth") {
  Rng rng(11);
  kv::InsertOnlyTable<std::string, std::string> table;
  std::map<std::string, std::string> oracle;
  for (int step = 0; step < 20000; ++step) {
    const std::string key = random_key(rng);
    if (rng.below(3) == 0) {
      const std::string* found = table.find(key);
      const auto it = oracle.find(key);
      REQUIRE((found != nullptr) == (it != oracle.end()));
      if (found) CHECK(*found == it->second);
    } else {
      const std::string value = std::to_string(step);
      table[key] += value;
      oracle[key] += value;
    }
  }
  REQUIRE(table.size() == oracle.size());
  for (const auto& e : table.entries()) CHECK(oracle.at(e.key) == e.value);
  for (const auto& [key, value] : oracle) {
    REQUIRE(table.find(key) != nullptr);
    CHECK(*table.find(key) == value);
  }
}

TEST_CASE("insert-only table: numbered keys, and equality whatever the insertion order") {
  kv::InsertOnlyTable<ClientId, int> forward, backward;
  for (ClientId c = 0; c < 1000; ++c) forward[c * 7] = static_cast<int>(c);
  for (ClientId c = 1000; c-- > 0;) backward[c * 7] = static_cast<int>(c);
  CHECK(forward.size() == 1000);
  for (ClientId c = 0; c < 1000; ++c) {
    REQUIRE(forward.find(c * 7) != nullptr);
    CHECK(*forward.find(c * 7) == static_cast<int>(c));
    CHECK(forward.find(c * 7 + 1) == nullptr);
  }
  CHECK(forward == backward);
  backward[3] = 0;
  CHECK_FALSE(forward == backward);
}

namespace {

// The store as it was written before the table: std::map for the data and
// the sessions, the same rules for applying.
class OracleStore {
 public:
  kv::Reply apply(const kv::Request& r) {
    auto& session = sessions_[r.client];
    if (r.sequence != 0 && r.sequence <= session.first) {
      kv::Reply again = session.second;
      if (r.sequence != session.first) again.value.clear();
      return again;
    }
    kv::Reply reply{r.client, r.sequence, kv::Reply::Status::kOk, kNoNode, {}, false};
    if (kv::is_admin(r.kind)) {
      session = {r.sequence, reply};
      return reply;
    }
    auto& slot = data_[r.key];
    switch (r.kind) {
      case kv::OpKind::kGet: reply.value = slot; break;
      case kv::OpKind::kPut: slot = r.value; break;
      case kv::OpKind::kAppend: slot += r.value; break;
      case kv::OpKind::kCas:
        reply.cas_ok = slot == r.expected;
        if (reply.cas_ok) slot = r.value;
        break;
      default: break;
    }
    session = {r.sequence, reply};
    return reply;
  }
  // kv::KvStore::snapshot()'s format, written from the sorted maps.
  std::string snapshot() const {
    std::string out;
    auto field = [&out](const std::string& f) { out += std::to_string(f.size()) + ":" + f; };
    auto number = [&field](std::uint64_t n) { field(std::to_string(n)); };
    number(data_.size());
    for (const auto& [key, value] : data_) {
      field(key);
      field(value);
    }
    number(sessions_.size());
    for (const auto& [client, s] : sessions_) {
      number(client);
      number(s.first);
      number(s.second.client);
      number(s.second.sequence);
      number(static_cast<std::uint64_t>(s.second.status));
      number(s.second.leader_hint);
      field(s.second.value);
      number(s.second.cas_ok ? 1 : 0);
    }
    return out;
  }

 private:
  std::map<std::string, std::string> data_;
  std::map<ClientId, std::pair<std::uint64_t, kv::Reply>> sessions_;
};

}  // namespace

TEST_CASE("kv store: the replies and the snapshot bytes of the std::map store, retries included") {
  Rng rng(5);
  kv::KvStore store;
  OracleStore oracle;
  std::vector<std::uint64_t> sequence(40, 0);
  for (int step = 0; step < 20000; ++step) {
    kv::Request r;
    r.client = static_cast<ClientId>(rng.below(40) * 13);
    // Mostly the next request; sometimes a retry of the last or an older one.
    const auto pick = rng.below(10);
    std::uint64_t& last = sequence[r.client / 13];
    r.sequence = pick == 0 && last > 0 ? last : pick == 1 && last > 1 ? last - 1 : ++last;
    r.kind = static_cast<kv::OpKind>(rng.below(5) == 0 ? 4 + rng.below(3) : rng.below(4));
    r.key = "k" + std::to_string(rng.below(300));
    r.value = std::to_string(step);
    r.expected = rng.below(2) ? std::string() : std::to_string(step - 1 - static_cast<int>(rng.below(3)));
    const kv::Reply got = store.apply(r);
    const kv::Reply want = oracle.apply(r);
    REQUIRE(got.client == want.client);
    REQUIRE(got.sequence == want.sequence);
    REQUIRE(got.status == want.status);
    REQUIRE(got.value == want.value);
    REQUIRE(got.cas_ok == want.cas_ok);
    if (step % 1000 == 0) REQUIRE(store.snapshot() == oracle.snapshot());
  }
  CHECK(store.snapshot() == oracle.snapshot());
  const kv::KvStore restored = kv::KvStore::restore(store.snapshot());
  CHECK(restored == store);
  CHECK(restored.snapshot() == store.snapshot());
  CHECK(store.read("k7") == kv::KvStore::restore(oracle.snapshot()).read("k7"));
}

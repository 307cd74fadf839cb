// The clients a leader answers when their entries apply (section 8): log
// index -> client. It behaves as the std::map<Index, ClientId> it replaces
// (a note at an index already noted replaces the client; a walk goes in
// index order), held in a deque in index order: a leader notes each client
// at its log's new end and applies in index order, so a note is a push at
// the back and the entry applied next is found at the front, with no node
// allocated per client request as the map did (the middle is searched only
// when a note is out of order).
//
// Invariant: waiting_ is strictly increasing by index.
#pragma once

#include <algorithm>
#include <deque>
#include <optional>

#include "protocols/host/time.hpp"
#include "protocols/raft/raft_messages.hpp"

namespace faultline::raft {

class WaitingClients {
 public:
  struct Waiting {
    Index index;
    ClientId client;
  };

  // `client` waits for the entry at `index` (replacing who waited for it).
  void note(Index index, ClientId client) {
    if (waiting_.empty() || waiting_.back().index < index) {
      waiting_.push_back(Waiting{index, client});
      return;
    }
    auto it = lower_bound(index);
    if (it != waiting_.end() && it->index == index) it->client = client;
    else waiting_.insert(it, Waiting{index, client});
  }
  // The client waiting for the entry at `index`, no longer waiting; or none.
  std::optional<ClientId> take(Index index) {
    if (waiting_.empty() || waiting_.front().index > index) return std::nullopt;
    if (waiting_.front().index == index) {
      const ClientId client = waiting_.front().client;
      waiting_.pop_front();
      return client;
    }
    auto it = lower_bound(index);
    if (it == waiting_.end() || it->index != index) return std::nullopt;
    const ClientId client = it->client;
    waiting_.erase(it);
    return client;
  }
  // In index order.
  auto begin() const { return waiting_.begin(); }
  auto end() const { return waiting_.end(); }
  bool empty() const { return waiting_.empty(); }
  void clear() { waiting_.clear(); }

 private:
  std::deque<Waiting>::iterator lower_bound(Index index) {
    return std::lower_bound(waiting_.begin(), waiting_.end(), index,
                            [](const Waiting& w, Index i) { return w.index < i; });
  }

  std::deque<Waiting> waiting_;
};

}  // namespace faultline::raft

// Idempotency keys (SVIX_API.md): a second POST with the same token, key and path gets the first 2xx
// answer for 12 hours; while the first is still running, the second waits for it. Non-2xx answers are
// forgotten at once (nothing of them stays), so a request waiting behind a failed one runs itself.
// Kept in memory within a budget of bytes: past it, the oldest answers are forgotten first (the store
// still has them, Store::find_answer). Waiting never blocks a thread: callers are called back.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "net/http_message.h"

namespace hookd::api {

class IdempotencyCache {
 public:
  // Called with the remembered answer, or with nullopt when the caller must run its request itself and
  // then call finish() with the answer.
  using Proceed = std::function<void(std::optional<net::HttpResponse>)>;

  // `max_bytes` bounds the keys and answers held (a key of a request still running counts too, but is
  // never forgotten before it finishes; there are as many of them as requests in flight).
  IdempotencyCache(const core::Clock& clock, std::chrono::seconds ttl, std::size_t max_bytes)
      : clock_(clock), ttl_(ttl), max_bytes_(max_bytes) {}

  // Calls `proceed` exactly once, now or when the request running under `key` finishes. `key` should be
  // a digest of what identifies the request (its size counts against the budget). Thread-safe.
  void begin(const std::string& key, Proceed proceed);
  // The answer of a request that begin() let run. Thread-safe.
  void finish(const std::string& key, const net::HttpResponse& response);

  // What the cache holds now, for tests: entries, and the bytes counted against max_bytes.
  std::size_t entries() const;
  std::size_t bytes() const;

 private:
  using Order = std::list<std::string>;  // keys, oldest first
  struct Entry {
    bool done = false;
    net::HttpResponse response;
    core::TimePoint at;
    std::vector<Proceed> waiting;
    Order::iterator position;
    std::size_t bytes = 0;
  };

  // What an entry costs: its key twice (map and order), its answer, and the containers' overhead.
  static std::size_t cost(const std::string& key, const net::HttpResponse& response);
  // Forgets the entry (mutex_ held).
  void erase(std::unordered_map<std::string, Entry>::iterator it);
  // Forgets the oldest finished entries until the budget holds, and expired ones at the front (mutex_ held).
  void trim();

  const core::Clock& clock_;
  const std::chrono::seconds ttl_;
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
  Order order_;                                     // guarded by mutex_
  std::size_t bytes_ = 0;                           // guarded by mutex_
};

}  // namespace hookd::api

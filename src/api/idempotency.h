// Idempotency keys (SVIX_API.md): a second POST with the same token, key and path gets the first 2xx
// answer for 12 hours; while the first is still running, the second waits for it. Non-2xx answers are
// forgotten, so a request waiting behind a failed one runs itself. Kept in memory, bounded. Waiting never
// blocks a thread: callers are called back.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
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

  IdempotencyCache(const core::Clock& clock, std::chrono::seconds ttl, std::size_t max_entries)
      : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

  // Calls `proceed` exactly once, now or when the request running under `key` finishes. Thread-safe.
  void begin(const std::string& key, Proceed proceed);
  // The answer of a request that begin() let run. Thread-safe.
  void finish(const std::string& key, const net::HttpResponse& response);

 private:
  struct Entry {
    bool done = false;
    net::HttpResponse response;
    core::TimePoint at;
    std::vector<Proceed> waiting;
  };

  const core::Clock& clock_;
  const std::chrono::seconds ttl_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
  std::deque<std::string> order_;                   // insertion order, for eviction; guarded by mutex_
};

}  // namespace hookd::api

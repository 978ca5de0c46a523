// Idempotency keys (SVIX_API.md): a second POST with the same token, key and path gets the first 2xx
// answer for 12 hours; while the first is still running, the second waits for it. Non-2xx answers are
// forgotten, so a retry after a failure runs again. Kept in memory, bounded.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"
#include "net/http_message.h"

namespace hookd::api {

class IdempotencyCache {
 public:
  IdempotencyCache(const core::Clock& clock, std::chrono::seconds ttl, std::size_t max_entries)
      : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

  // The remembered answer for `key`, or what `compute` answers (remembered when 2xx). Thread-safe.
  net::HttpResponse run(const std::string& key, const std::function<net::HttpResponse()>& compute);

 private:
  struct Entry {
    bool done = false;
    net::HttpResponse response;
    core::TimePoint at;
  };

  const core::Clock& clock_;
  const std::chrono::seconds ttl_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  std::condition_variable finished_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
  std::deque<std::string> order_;                   // insertion order, for eviction; guarded by mutex_
};

}  // namespace hookd::api

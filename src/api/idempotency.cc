#include "api/idempotency.h"

namespace hookd::api {

net::HttpResponse IdempotencyCache::run(const std::string& key, const std::function<net::HttpResponse()>& compute) {
  {
    std::unique_lock lock(mutex_);
    while (true) {
      auto it = entries_.find(key);
      if (it == entries_.end()) break;
      if (!it->second.done) {
        // Another request with this key is running: wait for its answer (bounded, then run anyway).
        if (finished_.wait_for(lock, std::chrono::seconds(30)) == std::cv_status::timeout) break;
        continue;
      }
      if (clock_.now() - it->second.at < ttl_) return it->second.response;
      entries_.erase(it);
      break;
    }
    entries_[key] = Entry{false, {}, clock_.now()};
    order_.push_back(key);
    while (order_.size() > max_entries_) {
      auto oldest = entries_.find(order_.front());
      if (oldest != entries_.end() && oldest->second.done) entries_.erase(oldest);
      order_.pop_front();
    }
  }
  net::HttpResponse response = compute();
  {
    std::lock_guard lock(mutex_);
    if (response.status >= 200 && response.status < 300) {
      entries_[key] = Entry{true, response, clock_.now()};
    } else {
      entries_.erase(key);
    }
  }
  finished_.notify_all();
  return response;
}

}  // namespace hookd::api

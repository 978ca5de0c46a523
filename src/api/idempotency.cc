#include "api/idempotency.h"

namespace hookd::api {

void IdempotencyCache::begin(const std::string& key, Proceed proceed) {
  std::optional<net::HttpResponse> remembered;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.done && clock_.now() - it->second.at >= ttl_) {
      entries_.erase(it);
      it = entries_.end();
    }
    if (it != entries_.end() && !it->second.done) {
      it->second.waiting.push_back(std::move(proceed));  // runs when the first request finishes
      return;
    }
    if (it != entries_.end()) {
      remembered = it->second.response;
    } else {
      entries_[key] = Entry{false, {}, clock_.now(), {}};
      order_.push_back(key);
      while (order_.size() > max_entries_) {
        auto oldest = entries_.find(order_.front());
        if (oldest != entries_.end() && oldest->second.done) entries_.erase(oldest);
        order_.pop_front();
      }
    }
  }
  proceed(std::move(remembered));
}

void IdempotencyCache::finish(const std::string& key, const net::HttpResponse& response) {
  std::vector<Proceed> waiting;
  std::optional<Proceed> next_runner;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    waiting = std::move(it->second.waiting);
    if (response.status >= 200 && response.status < 300) {
      it->second = Entry{true, response, clock_.now(), {}};
    } else if (!waiting.empty()) {
      // Forgotten: the first request waiting behind this one runs itself, the others wait for it.
      next_runner = std::move(waiting.front());
      waiting.erase(waiting.begin());
      it->second.waiting = std::move(waiting);
      waiting.clear();
    } else {
      entries_.erase(it);
    }
  }
  if (next_runner) {
    (*next_runner)(std::nullopt);
    return;
  }
  for (auto& proceed : waiting) proceed(response);
}

}  // namespace hookd::api

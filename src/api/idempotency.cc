#include "api/idempotency.h"

namespace hookd::api {

std::size_t IdempotencyCache::cost(const std::string& key, const net::HttpResponse& response) {
  constexpr std::size_t kOverhead = 256;  // the map node, the list node, the entry itself
  std::size_t bytes = kOverhead + 2 * key.size() + response.body.size();
  for (const auto& [name, value] : response.headers.entries()) bytes += name.size() + value.size() + 64;
  return bytes;
}

void IdempotencyCache::erase(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  order_.erase(it->second.position);
  entries_.erase(it);
}

void IdempotencyCache::trim() {
  const auto now = clock_.now();
  auto next = order_.begin();
  while (next != order_.end()) {
    auto it = entries_.find(*next);
    ++next;
    const bool expired = it->second.done && now - it->second.at >= ttl_;
    if (!expired && bytes_ <= max_bytes_) break;
    if (it->second.done) erase(it);  // requests still running are passed over, never forgotten
  }
}

void IdempotencyCache::begin(const std::string& key, Proceed proceed) {
  std::optional<net::HttpResponse> remembered;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.done && clock_.now() - it->second.at >= ttl_) {
      erase(it);
      it = entries_.end();
    }
    if (it != entries_.end() && !it->second.done) {
      it->second.waiting.push_back(std::move(proceed));  // runs when the first request finishes
      return;
    }
    if (it != entries_.end()) {
      remembered = it->second.response;
    } else {
      Entry entry;
      entry.at = clock_.now();
      entry.position = order_.insert(order_.end(), key);
      entry.bytes = cost(key, {});
      bytes_ += entry.bytes;
      entries_.emplace(key, std::move(entry));
      trim();
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
    Entry& entry = it->second;
    waiting = std::move(entry.waiting);
    entry.waiting.clear();
    if (response.status >= 200 && response.status < 300) {
      bytes_ -= entry.bytes;
      entry.done = true;
      entry.response = response;
      entry.at = clock_.now();
      entry.bytes = cost(key, response);
      bytes_ += entry.bytes;
      // Newest again: it is the last to be forgotten.
      order_.splice(order_.end(), order_, entry.position);
      trim();
    } else if (!waiting.empty()) {
      // Forgotten: the first request waiting behind this one runs itself, the others wait for it.
      next_runner = std::move(waiting.front());
      waiting.erase(waiting.begin());
      entry.waiting = std::move(waiting);
      waiting.clear();
    } else {
      erase(it);
    }
  }
  if (next_runner) {
    (*next_runner)(std::nullopt);
    return;
  }
  for (auto& proceed : waiting) proceed(response);
}

std::size_t IdempotencyCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t IdempotencyCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace hookd::api

// The inbound sources the ingress looked up lately, with their gates built, so that a request to a known
// source is verified on the I/O thread without a database read. An entry lives `ttl`: changes made
// through this process's API are seen at once (forget_all), changes made through another process within
// `ttl`.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ingress/source_gate.h"
#include "store/model.h"

namespace hookd::api {

class SourceCache {
 public:
  struct Entry {
    store::Source source;
    ingress::SourceGate gate;
    std::chrono::steady_clock::time_point loaded;
  };

  SourceCache() = default;
  explicit SourceCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  // The entry for `key` (a source's name or id, as requested), if it is fresh.
  std::shared_ptr<const Entry> find(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || std::chrono::steady_clock::now() - it->second->loaded > ttl_) return nullptr;
    return it->second;
  }
  void put(const std::string& key, std::shared_ptr<const Entry> entry) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();  // a bound on memory; it refills on demand
    entries_[key] = std::move(entry);
  }
  void forget_all() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

 private:
  static constexpr std::size_t kMaxEntries = 10000;
  const std::chrono::milliseconds ttl_{1000};
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

}  // namespace hookd::api

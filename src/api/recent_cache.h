// Values the API looked up lately (an application by id or uid, an inbound source with its gate), so
// that the hot routes (publishing, /in/) find them on the I/O thread without reading the store.
//
// - A value is fresh for `fresh_for` after it was loaded, then stale until `usable_for`. A stale value is
//   still returned, and exactly one caller is told to load it again (in the background, off the I/O
//   thread): a store that is slow, or whose readers are all busy, does not stall requests for what is
//   already known. Past `usable_for` the value is gone, and the caller must load it before answering.
// - Changes made through this process are seen at once (forget_all); changes made through another
//   process (another node) within `fresh_for`, or at once where it announces them.
// - Bounded: at most `max_entries`; past it the cache empties and refills on demand.
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hookd::api {

template <class Value>
class RecentCache {
 public:
  struct Found {
    std::shared_ptr<const Value> value;  // null: not known (or no longer usable)
    bool load_again = false;             // stale: this caller loads it again (and put()s or forgets it)
  };

  RecentCache() : RecentCache(std::chrono::seconds(1)) {}
  explicit RecentCache(std::chrono::milliseconds fresh_for,
                       std::chrono::milliseconds usable_for = std::chrono::seconds(60), std::size_t max_entries = 10000)
      : fresh_for_(fresh_for), usable_for_(usable_for), max_entries_(max_entries) {}

  Found find(const std::string& key) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return {};
    Entry& entry = it->second;
    if (now - entry.loaded > usable_for_) {
      entries_.erase(it);
      return {};
    }
    Found found{entry.value, false};
    if (now - entry.loaded > fresh_for_ && !entry.loading) {
      entry.loading = true;
      found.load_again = true;
    }
    return found;
  }

  void put(const std::string& key, std::shared_ptr<const Value> value) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) entries_.clear();
    entries_[key] = Entry{std::move(value), std::chrono::steady_clock::now(), false};
  }

  // Loading the value again failed (the store did not answer): the next caller that finds it stale tries.
  void not_loaded(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) it->second.loading = false;
  }

  // The value under `key` is gone (deleted): it is no longer returned.
  void forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

  void forget_all() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

 private:
  struct Entry {
    std::shared_ptr<const Value> value;
    std::chrono::steady_clock::time_point loaded;
    bool loading = false;  // a caller was told to load it again
  };

  const std::chrono::milliseconds fresh_for_;
  const std::chrono::milliseconds usable_for_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
};

}  // namespace hookd::api

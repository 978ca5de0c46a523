#include "server/payload_purger.h"

#include <string>

#include "server/log.h"

namespace hookd::server {
namespace {

constexpr int kBatch = 5000;

}  // namespace

PayloadPurger::PayloadPurger(store::Store& store, const core::Clock& clock, std::chrono::microseconds interval)
    : store_(store), clock_(clock), interval_(interval) {
  thread_ = std::thread([this] { run(); });
}

PayloadPurger::~PayloadPurger() { stop(); }

void PayloadPurger::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void PayloadPurger::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    std::int64_t purged = 0;
    while (true) {
      auto batch = store_.purge_expired_payloads(clock_.now(), kBatch);
      if (!batch) {
        log_error("purging expired payloads: " + batch.error().detail);
        break;
      }
      purged += *batch;
      if (*batch < kBatch) break;
      std::lock_guard check(mutex_);
      if (stopping_) break;
    }
    if (purged > 0) log_info("purged " + std::to_string(purged) + " expired payloads");
    lock.lock();
    wake_.wait_for(lock, interval_, [&] { return stopping_; });
  }
}

}  // namespace hookd::server

// Purges expired payloads in the background (a message's payloadRetentionPeriod): at start, then every
// `interval`, in batches, so that no single write holds the database for long. The messages stay, with
// an empty payload, as Svix shows them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/time.h"
#include "store/store.h"

namespace hookd::server {

class PayloadPurger {
 public:
  // `store` and `clock` must outlive the purger.
  PayloadPurger(store::Store& store, const core::Clock& clock, std::chrono::microseconds interval);
  ~PayloadPurger();
  PayloadPurger(const PayloadPurger&) = delete;
  PayloadPurger& operator=(const PayloadPurger&) = delete;

  // Lets a purge in progress finish its batch, and stops.
  void stop();

 private:
  void run();

  store::Store& store_;
  const core::Clock& clock_;
  const std::chrono::microseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hookd::server

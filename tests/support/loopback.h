// Test helpers shared by the delivery and integration tests: waiting on a condition with a deadline
// (never sleeping as synchronisation), and a scriptable receiver on loopback that records what it gets.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_server.h"

namespace hookd::testing {

using namespace std::chrono_literals;

// Whether `done()` came true within `limit`, checking every few milliseconds.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A receiver whose answers a script decides. Each request is answered from a thread of its own, so a
// slow script makes a slow receiver without holding back the others, and concurrency is real.
class Receiver {
 public:
  using Script = std::function<net::HttpResponse(const net::HttpRequest&, int call)>;

  explicit Receiver(Script script = [](const net::HttpRequest&, int) { return net::HttpResponse::empty(204); })
      : script_(std::move(script)) {
    std::string error;
    server_ = net::HttpServer::listen(
        {},
        [this](net::HttpRequest&& request, net::Respond respond) {
          std::lock_guard lock(mutex_);
          const int call = static_cast<int>(requests_.size());
          requests_.push_back(request);
          arrivals_.push_back(std::chrono::steady_clock::now());
          threads_.emplace_back([this, request = std::move(request), respond = std::move(respond), call]() mutable {
            const int now_open = ++open_;
            int seen = most_open_.load();
            while (now_open > seen && !most_open_.compare_exchange_weak(seen, now_open)) {
            }
            auto response = script_(request, call);
            --open_;
            respond(std::move(response));
          });
        },
        error);
    server_->start();
  }
  ~Receiver() {
    server_->stop(0ms);
    std::lock_guard lock(mutex_);
    for (auto& thread : threads_) thread.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"; }
  std::vector<net::HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  // Connections accepted: zero shows that nothing reached the receiver at all.
  std::uint64_t connections() const { return server_->accepted_connections(); }
  // The most requests being answered at the same time.
  int most_at_once() const { return most_open_; }
  // The most requests that arrived within any one second.
  std::size_t most_in_one_second() const {
    std::lock_guard lock(mutex_);
    std::size_t most = 0;
    for (const auto& start : arrivals_) {
      most = std::max<std::size_t>(
          most, static_cast<std::size_t>(std::count_if(arrivals_.begin(), arrivals_.end(), [&](const auto& at) {
            return at >= start && at < start + 1s;
          })));
    }
    return most;
  }

 private:
  Script script_;
  mutable std::mutex mutex_;
  std::vector<net::HttpRequest> requests_;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;
  std::vector<std::thread> threads_;
  std::atomic<int> open_{0};
  std::atomic<int> most_open_{0};
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace hookd::testing

// Helpers for integration tests: a blocking HTTP client for the API, scriptable receivers, and waiting
// on conditions with a deadline (never sleeping as synchronisation).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/event_loop.h"
#include "net/http_client.h"
#include "net/http_server.h"

namespace hookd::testing {

using namespace std::chrono_literals;

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

struct ApiResponse {
  int status = 0;
  std::string body;
  boost::json::value json() const { return body.empty() ? boost::json::value() : boost::json::parse(body); }
};

// Calls the API over real HTTP with a bearer token.
class ApiClient {
 public:
  ApiClient(std::string base_url, std::string token) : base_(std::move(base_url)), token_(std::move(token)) {
    loop_.start();
  }
  ~ApiClient() { loop_.stop(); }

  ApiResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                   std::optional<std::string> token = std::nullopt) {
    net::OutboundRequest request;
    request.method = method;
    request.url = base_ + path;
    request.headers.add("authorization", "Bearer " + token.value_or(token_));
    if (!body.empty()) request.headers.add("content-type", "application/json");
    request.body = std::make_shared<const std::string>(body);
    request.max_response_bytes = 16 << 20;
    std::promise<net::OutboundResponse> promise;
    auto future = promise.get_future();
    client_.send(std::move(request),
                 [&promise](net::OutboundResponse response) { promise.set_value(std::move(response)); });
    auto response = future.get();
    return {response.status, response.failure == net::SendFailure::none ? response.body : response.error};
  }
  ApiResponse get(const std::string& path) { return call("GET", path); }
  ApiResponse post(const std::string& path, const std::string& body) { return call("POST", path, body); }

 private:
  std::string base_, token_;
  net::EventLoop loop_;
  net::HttpClient client_{loop_, {}};
};

// A receiver on loopback whose answers the test scripts; it records every request.
class Receiver {
 public:
  using Script = std::function<net::HttpResponse(const net::HttpRequest&, int call)>;
  explicit Receiver(Script script = [](const net::HttpRequest&, int) { return net::HttpResponse::empty(204); })
      : script_(std::move(script)) {
    std::string error;
    server_ = net::HttpServer::listen(
        {},
        [this](net::HttpRequest&& request, net::Respond respond) {
          int call;
          {
            std::lock_guard lock(mutex_);
            call = static_cast<int>(requests_.size());
            requests_.push_back(request);
          }
          // Scripts may sleep (slow receivers): answer from a thread of their own.
          std::lock_guard lock(mutex_);
          threads_.emplace_back([this, request = std::move(request), respond = std::move(respond), call]() mutable {
            respond(script_(request, call));
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
  std::uint64_t connections() const { return server_->accepted_connections(); }

 private:
  Script script_;
  mutable std::mutex mutex_;
  std::vector<net::HttpRequest> requests_;
  std::vector<std::thread> threads_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace hookd::testing

// Helpers for integration tests: a blocking HTTP client for the API (receivers and waiting are in
// tests/support/loopback.h).
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
#include "support/loopback.h"

namespace hookd::testing {

using namespace std::chrono_literals;

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

}  // namespace hookd::testing

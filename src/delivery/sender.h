// The seam between the dispatcher and the network: Sender sends one HTTP request and reports the
// outcome. HttpSender is the real one; tests may substitute their own.
#pragma once

#include <functional>

#include "net/http_client.h"

namespace hookd::delivery {

class Sender {
 public:
  virtual ~Sender() = default;
  // Sends `request`; calls `done` exactly once, on the dispatcher's event loop thread.
  virtual void send(net::OutboundRequest request, std::function<void(net::OutboundResponse)> done) = 0;
};

// Sends through a net::HttpClient running on the dispatcher's event loop.
class HttpSender final : public Sender {
 public:
  explicit HttpSender(net::HttpClient& client) : client_(client) {}
  void send(net::OutboundRequest request, std::function<void(net::OutboundResponse)> done) override {
    client_.send(std::move(request), std::move(done));
  }

 private:
  net::HttpClient& client_;
};

}  // namespace hookd::delivery

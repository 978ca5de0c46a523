// The Svix-compatible REST API (SVIX_API.md) as one function from request to response. Api::handle is
// synchronous and may block on the store: call it from a worker thread, never from an I/O thread.
#pragma once

#include <memory>

#include "api/handler.h"
#include "api/idempotency.h"
#include "net/http_message.h"

namespace hookd::api {

class Api {
 public:
  // `store`, `dispatcher` (may be null) and `clock` must outlive the Api.
  Api(store::Store& store, delivery::Dispatcher* dispatcher, const core::Clock& clock, ApiOptions options,
      std::function<core::Status()> queue_health = {});

  // Thread-safe.
  net::HttpResponse handle(const net::HttpRequest& request);

 private:
  net::HttpResponse dispatch(const net::HttpRequest& request, const RouteTarget& target, PathParams params);
  core::Result<Caller> authenticate(const net::HttpRequest& request) const;

  ApiOptions options_;
  Services services_;
  ApiRouter router_;
  IdempotencyCache idempotency_;
};

}  // namespace hookd::api

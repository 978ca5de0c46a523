// The Svix-compatible REST API (SVIX_API.md) as a function from request to response.
//
// handle(request, respond) is what the HTTP server calls on its I/O thread: the hot route (publishing a
// message) runs there without blocking, answering once its group commit is done; every other route may
// block on the store and runs through the `blocking` executor (a worker pool in hookd serve).
#pragma once

#include <memory>

#include "api/handler.h"
#include "api/idempotency.h"
#include "net/http_message.h"
#include "net/http_server.h"

namespace hookd::api {

class Api {
 public:
  // Runs blocking work somewhere other than an I/O thread.
  using Executor = std::function<void(std::function<void()>)>;

  // `store`, `dispatcher` (may be null) and `clock` must outlive the Api. Without `blocking`, blocking
  // routes run on the calling thread.
  Api(store::Store& store, delivery::Dispatcher* dispatcher, const core::Clock& clock, ApiOptions options,
      Executor blocking = {}, std::function<core::Status()> queue_health = {});

  // Answers through `respond`, exactly once, from any thread. Thread-safe.
  void handle(net::HttpRequest request, net::Respond respond);
  // The same, waiting for the answer (tests and simple callers).
  net::HttpResponse handle(const net::HttpRequest& request);
  // A source changed elsewhere (another node): forget the sources cached for the ingress.
  void sources_changed() { services_.sources.forget_all(); }
  // An application changed or was deleted elsewhere (another node): forget the applications cached.
  void applications_changed() { services_.applications.forget_all(); }

 private:
  struct Pending;
  void run(std::shared_ptr<Pending> pending);
  // Runs work that may block (the store) on the executor, or here without one.
  void on_blocking(std::function<void()> work);
  // `respond`, counting the request in the metrics when it answers.
  net::Respond measured(const ApiRouter::Match& match, net::Respond respond) const;

  ApiOptions options_;
  Services services_;
  Executor blocking_;
  ApiRouter router_;
  std::vector<metrics::Metrics::RouteHandle> route_metrics_;  // by route index
  metrics::Metrics::RouteHandle unmatched_metrics_ = 0;
  IdempotencyCache idempotency_;
};

}  // namespace hookd::api

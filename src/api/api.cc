#include "api/api.h"

#include <future>

#include "api/http_errors.h"
#include "api/jwt.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "hookd/sign/headers.h"
#include "sign/crypto.h"

namespace hookd::api {
namespace {

std::string_view bearer_token(const net::HttpRequest& request) {
  const auto header = request.headers.find("authorization");
  if (!header) return {};
  std::string_view value = *header;
  if (value.size() > 7 && sign::iequals(value.substr(0, 7), "bearer ")) value.remove_prefix(7);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

// The answer to a request that failed. A 5xx answer says what happened in general terms and gives a
// request id; the detail (a database's message, an exception's), which may say more about the server
// than a client should learn, goes only to the operator's log, under that id.
net::HttpResponse failure_response(const net::HttpRequest& request, const core::Error& error,
                                   const ApiOptions& options) {
  const bool server_side = error.code == core::ErrorCode::internal || error.code == core::ErrorCode::unavailable;
  if (!server_side) return error_response(error);
  const std::string id = core::new_id("req_");
  if (options.error) {
    options.error("request " + id + " (" + request.method + " " + std::string(request.path()) +
                  ") failed: " + error.detail);
  }
  const std::string said = error.code == core::ErrorCode::unavailable
                               ? "the service is unavailable for a moment; try again (request " + id + ")"
                               : "internal server error (request " + id + ")";
  net::HttpResponse response = error_response({error.code, said, {}});
  response.headers.add("x-request-id", id);
  if (error.code == core::ErrorCode::unavailable) response.headers.add("retry-after", "1");
  return response;
}

net::HttpResponse to_response(const net::HttpRequest& request, core::Result<Reply>&& result,
                              const ApiOptions& options) {
  if (!result) return failure_response(request, result.error(), options);
  if (result->body.empty()) return net::HttpResponse::empty(result->status);
  if (!result->content_type.empty()) {
    net::HttpResponse response{result->status, {}, std::move(result->body)};
    response.headers.add("content-type", std::move(result->content_type));
    return response;
  }
  return net::HttpResponse::json(result->status, std::move(result->body));
}

core::Result<Caller> authenticate(const net::HttpRequest& request, const std::string& secret, core::TimePoint now) {
  auto claims = verify_token(bearer_token(request), secret, now);
  if (!claims) return fail(std::move(claims).error());
  if (claims->org) return Caller{*claims->org, claims->subject};
  return Caller{claims->subject, std::nullopt};
}

}  // namespace

// One request on its way: the request, what it was matched to, and how to answer it.
struct Api::Pending {
  net::HttpRequest request;
  const RouteTarget* target = nullptr;
  PathParams params;
  Caller caller;  // authenticated
  net::Respond respond;
  // Empty: no idempotency key. Else a digest of the token, key and path, under which the answer is kept
  // in memory and in the store.
  std::string idempotency_key;
  std::optional<Call> call;  // built when the request runs; refers to `request`
};

Api::Api(store::Store& store, delivery::Dispatcher* dispatcher, const core::Clock& clock, ApiOptions options,
         Executor blocking, std::function<core::Status()> queue_health)
    : options_(std::move(options)),
      services_{store, dispatcher, clock, options_, std::move(queue_health), blocking, {}, {}, {}},
      blocking_(std::move(blocking)),
      idempotency_(clock, options_.idempotency_ttl, options_.idempotency_cache_bytes) {
  add_application_routes(router_);
  add_event_type_routes(router_);
  add_endpoint_routes(router_);
  add_endpoint_settings_routes(router_);
  add_message_routes(router_);
  add_attempt_routes(router_);
  add_auth_and_health_routes(router_);
  add_source_routes(router_);
  if (options_.metrics) {
    router_.for_each([this](const std::string& method, const std::string& pattern) {
      route_metrics_.push_back(options_.metrics->api_route(method, pattern));
    });
    unmatched_metrics_ = options_.metrics->unmatched_route();
  }
}

net::Respond Api::measured(const ApiRouter::Match& match, net::Respond respond) const {
  const auto route = match.outcome == ApiRouter::Outcome::found ? route_metrics_[match.index] : unmatched_metrics_;
  return [metrics = options_.metrics, route, started = std::chrono::steady_clock::now(),
          respond = std::move(respond)](net::HttpResponse response) {
    metrics->api_request(route, response.status, std::chrono::steady_clock::now() - started);
    respond(std::move(response));
  };
}

net::HttpResponse Api::handle(const net::HttpRequest& request) {
  std::promise<net::HttpResponse> answered;
  auto future = answered.get_future();
  handle(net::HttpRequest(request),
         [&answered](net::HttpResponse response) { answered.set_value(std::move(response)); });
  return future.get();
}

void Api::handle(net::HttpRequest request, net::Respond respond) {
  auto match = router_.match(request.method, request.path());
  if (options_.metrics) respond = measured(match, std::move(respond));
  if (match.outcome == ApiRouter::Outcome::not_found) {
    return respond(error_response({core::ErrorCode::not_found, "no route for " + std::string(request.path()), {}}));
  }
  if (match.outcome == ApiRouter::Outcome::method_not_allowed) {
    return respond(error_response({core::ErrorCode::method_not_allowed,
                                   request.method + " is not allowed on " + std::string(request.path()),
                                   {}}));
  }
  // Who calls, before any other work: a request without a valid token costs a signature check, nothing
  // more (no idempotency lookup, no memory kept).
  const RouteTarget& target = *match.target;
  Caller caller;
  if (target.access != Access::anyone) {
    auto authenticated = authenticate(request, options_.jwt_secret, services_.clock.now());
    if (!authenticated) return respond(error_response(authenticated.error()));
    caller = std::move(*authenticated);
    const bool app_token = caller.app_id.has_value();
    const bool allowed = !app_token || target.access == Access::application ||
                         (target.access == Access::read_shared && request.method == "GET");
    if (!allowed) {
      return respond(error_response({core::ErrorCode::forbidden, "an application token cannot use this route", {}}));
    }
  }
  auto pending = std::make_shared<Pending>();
  pending->target = match.target;
  pending->params = std::move(match.params);
  pending->caller = std::move(caller);
  pending->respond = std::move(respond);
  const auto key = request.headers.find("idempotency-key");
  if (request.method == "POST" && key && !key->empty() && key->size() <= 256) {
    // The same token, key and path: the first 2xx answer stands. Kept under a digest, in memory and in
    // the store alike.
    const std::string scope = std::string(bearer_token(request)) + '\n' + std::string(*key) + '\n' + request.target;
    pending->idempotency_key = core::hex_encode(sign::crypto::sha256(scope).view());
  }
  pending->request = std::move(request);
  if (pending->idempotency_key.empty()) return run(std::move(pending));
  idempotency_.begin(pending->idempotency_key, [this, pending](std::optional<net::HttpResponse> remembered) {
    if (remembered) return pending->respond(std::move(*remembered));
    // Not answered on this node since it started: perhaps on another one, or before a restart.
    on_blocking([this, pending] {
      const auto since = services_.clock.now() - options_.idempotency_ttl;
      auto kept = services_.store.find_answer(pending->idempotency_key, since);
      if (kept && *kept) {
        net::HttpResponse response{(*kept)->status, {}, std::move((*kept)->body)};
        for (auto& [name, value] : (*kept)->headers) response.headers.add(std::move(name), std::move(value));
        idempotency_.finish(pending->idempotency_key, response);
        return pending->respond(std::move(response));
      }
      run(pending);
    });
  });
}

void Api::on_blocking(std::function<void()> work) {
  if (blocking_) return blocking_(std::move(work));
  work();
}

void Api::run(std::shared_ptr<Pending> pending) {
  auto answer = [this, pending](core::Result<Reply> result) {
    net::HttpResponse response = to_response(pending->request, std::move(result), options_);
    if (pending->request.method == "HEAD") response.body.clear();
    if (pending->idempotency_key.empty()) return pending->respond(std::move(response));
    if (response.status < 200 || response.status >= 300) {
      idempotency_.finish(pending->idempotency_key, response);
      return pending->respond(std::move(response));
    }
    // A 2xx answer is kept in the store before it goes out, so that a retry finds it on any node.
    const auto now = services_.clock.now();
    store::KeptAnswer kept{response.status, response.headers.entries(), response.body, now};
    auto shared = std::make_shared<net::HttpResponse>(std::move(response));
    services_.store.keep_answer_async(pending->idempotency_key, std::move(kept), now - options_.idempotency_ttl,
                                      [this, pending, shared](core::Status done) {
                                        if (!done && options_.warn)
                                          options_.warn("an idempotent answer was not kept: " + done.error().detail);
                                        // Off the store's thread: finishing may start a request that waited for this
                                        // one.
                                        on_blocking([this, pending, shared] {
                                          idempotency_.finish(pending->idempotency_key, *shared);
                                          pending->respond(std::move(*shared));
                                        });
                                      });
  };
  const RouteTarget& target = *pending->target;
  pending->call.emplace(Call{pending->request, std::move(pending->caller), std::move(pending->params),
                             QueryReader(pending->request.query())});
  // Library exceptions (allocation, JSON) end here: the request fails, the server goes on.
  auto guarded = [this, pending, answer](auto&& body) {
    try {
      body();
    } catch (const std::exception& e) {
      answer(core::error(core::ErrorCode::internal, std::string("internal error: ") + e.what()));
    }
  };
  if (target.async) {
    return guarded([&] { target.async(services_, *pending->call, answer); });
  }
  auto blocking_work = [this, pending, answer, guarded] {
    guarded([&] { answer(pending->target->handler(services_, *pending->call)); });
  };
  on_blocking(std::move(blocking_work));
}

}  // namespace hookd::api

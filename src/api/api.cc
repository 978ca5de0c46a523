#include "api/api.h"

#include <future>

#include "api/http_errors.h"
#include "api/jwt.h"
#include "hookd/sign/headers.h"

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

net::HttpResponse to_response(core::Result<Reply>&& result) {
  if (!result) return error_response(result.error());
  if (result->body.empty()) return net::HttpResponse::empty(result->status);
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
  net::Respond respond;
  std::string idempotency_scope;  // empty: no idempotency key
  std::optional<Call> call;       // built when the request runs; refers to `request`
};

Api::Api(store::Store& store, delivery::Dispatcher* dispatcher, const core::Clock& clock, ApiOptions options,
         Executor blocking, std::function<core::Status()> queue_health)
    : options_(std::move(options)),
      services_{store, dispatcher, clock, options_, std::move(queue_health), blocking, {}, {}},
      blocking_(std::move(blocking)),
      idempotency_(clock, options_.idempotency_ttl, options_.max_idempotency_entries) {
  add_application_routes(router_);
  add_event_type_routes(router_);
  add_endpoint_routes(router_);
  add_endpoint_settings_routes(router_);
  add_message_routes(router_);
  add_attempt_routes(router_);
  add_auth_and_health_routes(router_);
  add_source_routes(router_);
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
  if (match.outcome == ApiRouter::Outcome::not_found) {
    return respond(error_response({core::ErrorCode::not_found, "no route for " + std::string(request.path()), {}}));
  }
  if (match.outcome == ApiRouter::Outcome::method_not_allowed) {
    return respond(error_response({core::ErrorCode::method_not_allowed,
                                   request.method + " is not allowed on " + std::string(request.path()),
                                   {}}));
  }
  auto pending = std::make_shared<Pending>();
  pending->target = match.target;
  pending->params = std::move(match.params);
  pending->respond = std::move(respond);
  const auto key = request.headers.find("idempotency-key");
  if (request.method == "POST" && key && !key->empty() && key->size() <= 256) {
    // The same token, key and path: the first 2xx answer stands.
    pending->idempotency_scope = std::string(bearer_token(request)) + '\n' + std::string(*key) + '\n' + request.target;
  }
  pending->request = std::move(request);
  if (pending->idempotency_scope.empty()) return run(std::move(pending));
  idempotency_.begin(pending->idempotency_scope, [this, pending](std::optional<net::HttpResponse> remembered) {
    if (remembered) return pending->respond(std::move(*remembered));
    run(pending);
  });
}

void Api::run(std::shared_ptr<Pending> pending) {
  auto answer = [this, pending](core::Result<Reply> result) {
    net::HttpResponse response = to_response(std::move(result));
    if (pending->request.method == "HEAD") response.body.clear();
    if (!pending->idempotency_scope.empty()) idempotency_.finish(pending->idempotency_scope, response);
    pending->respond(std::move(response));
  };
  const RouteTarget& target = *pending->target;
  Caller caller;
  if (target.access != Access::anyone) {
    auto authenticated = authenticate(pending->request, options_.jwt_secret, services_.clock.now());
    if (!authenticated) return answer(fail(std::move(authenticated).error()));
    caller = std::move(*authenticated);
    const bool app_token = caller.app_id.has_value();
    const bool allowed = !app_token || target.access == Access::application ||
                         (target.access == Access::read_shared && pending->request.method == "GET");
    if (!allowed) return answer(core::error(core::ErrorCode::forbidden, "an application token cannot use this route"));
  }
  pending->call.emplace(
      Call{pending->request, std::move(caller), std::move(pending->params), QueryReader(pending->request.query())});
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
  if (blocking_) {
    blocking_(std::move(blocking_work));
  } else {
    blocking_work();
  }
}

}  // namespace hookd::api

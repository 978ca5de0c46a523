#include "api/api.h"

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

}  // namespace

Api::Api(store::Store& store, delivery::Dispatcher* dispatcher, const core::Clock& clock, ApiOptions options,
         std::function<core::Status()> queue_health)
    : options_(std::move(options)),
      services_{store, dispatcher, clock, options_, std::move(queue_health)},
      idempotency_(clock, options_.idempotency_ttl, options_.max_idempotency_entries) {
  add_application_routes(router_);
  add_event_type_routes(router_);
  add_endpoint_routes(router_);
  add_endpoint_settings_routes(router_);
  add_message_routes(router_);
  add_attempt_routes(router_);
  add_auth_and_health_routes(router_);
}

core::Result<Caller> Api::authenticate(const net::HttpRequest& request) const {
  auto claims = verify_token(bearer_token(request), options_.jwt_secret, services_.clock.now());
  if (!claims) return fail(std::move(claims).error());
  if (claims->org) return Caller{*claims->org, claims->subject};
  return Caller{claims->subject, std::nullopt};
}

net::HttpResponse Api::handle(const net::HttpRequest& request) {
  auto match = router_.match(request.method, request.path());
  if (match.outcome == ApiRouter::Outcome::not_found) {
    return error_response({core::ErrorCode::not_found, "no route for " + std::string(request.path()), {}});
  }
  if (match.outcome == ApiRouter::Outcome::method_not_allowed) {
    return error_response({core::ErrorCode::method_not_allowed,
                           request.method + " is not allowed on " + std::string(request.path()),
                           {}});
  }
  net::HttpResponse response;
  const auto key = request.headers.find("idempotency-key");
  if (request.method == "POST" && key && !key->empty() && key->size() <= 256) {
    // The same token, key and path: the first 2xx answer stands.
    const std::string scope = std::string(bearer_token(request)) + '\n' + std::string(*key) + '\n' + request.target;
    response = idempotency_.run(scope, [&] { return dispatch(request, *match.target, match.params); });
  } else {
    response = dispatch(request, *match.target, std::move(match.params));
  }
  if (request.method == "HEAD") response.body.clear();
  return response;
}

net::HttpResponse Api::dispatch(const net::HttpRequest& request, const RouteTarget& target, PathParams params) {
  Caller caller;
  if (target.access != Access::anyone) {
    auto authenticated = authenticate(request);
    if (!authenticated) return error_response(authenticated.error());
    caller = std::move(*authenticated);
    const bool app_token = caller.app_id.has_value();
    const bool allowed = !app_token || target.access == Access::application ||
                         (target.access == Access::read_shared && request.method == "GET");
    if (!allowed) {
      return error_response({core::ErrorCode::forbidden, "an application token cannot use this route", {}});
    }
  }
  Call call{request, std::move(caller), std::move(params), QueryReader(request.query())};
  try {
    return to_response(target.handler(services_, call));
  } catch (const std::exception& e) {
    // Library exceptions (allocation, JSON) end here: the request fails, the server goes on.
    return error_response({core::ErrorCode::internal, std::string("internal error: ") + e.what(), {}});
  }
}

}  // namespace hookd::api

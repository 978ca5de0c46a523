// /api/v1/auth/… (application tokens) and /api/v1/health.
#include <boost/json.hpp>

#include "api/jwt.h"
#include "api/resolve.h"
#include "core/ids.h"

namespace hookd::api {
namespace {

namespace json = boost::json;

// A token limited to one application, for the app portal (or any client acting for one customer).
core::Result<Reply> app_portal_access(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app && app.error().code == core::ErrorCode::not_found && !call.request.body.empty()) {
    // "application" in the body creates the app when the path names a uid that does not exist yet.
    auto body = parse_body_object(call.request.body);
    if (!body) return fail(std::move(body).error());
    const auto* application = body->if_contains("application");
    const std::string& uid = call.param("app_id");
    if (application && application->is_object() && is_name(uid)) {
      FieldReader fields(application->as_object(), {"body", "application"});
      const auto name = fields.string("name");
      if (auto checked = fields.status(); !checked) return fail(std::move(checked).error());
      const auto now = services.clock.now();
      store::Application created{
          core::new_id("app_"), call.caller.org_id, uid, name.value_or(uid), std::nullopt, {}, now, now};
      app = services.store.create_application(std::move(created));
    }
  }
  if (!app) return fail(std::move(app).error());
  const auto now = services.clock.now();
  const std::string token =
      issue_token({app->id, app->org_id, now + services.options.app_token_lifetime}, services.options.jwt_secret, now);
  return Reply::json(
      200, json::object{{"url", services.options.public_url + "/app-portal#token=" + token}, {"token", token}});
}

// Tokens are stateless JWTs, so there is no session to end; the route exists for SDK compatibility.
core::Result<Reply> logout(Services&, Call&) { return Reply::empty(204); }

core::Result<Reply> health(Services& services, Call&) {
  const auto database = services.store.ping();
  const auto queue = services.queue_health ? services.queue_health() : core::Status{};
  auto part = [](const core::Status& status) {
    return status ? json::object{{"status", "ok"}}
                  : json::object{{"status", "error"}, {"detail", status.error().detail}};
  };
  const bool healthy = database.ok() && queue.ok();
  return Reply::json(
      healthy ? 200 : 503,
      json::object{{"database", part(database)}, {"queue", part(queue)}, {"cache", json::object{{"status", "ok"}}}});
}

core::Result<Reply> ping(Services&, Call&) { return Reply::empty(204); }

}  // namespace

void add_auth_and_health_routes(ApiRouter& router) {
  router.add("POST", "/api/v1/auth/app-portal-access/{app_id}", {app_portal_access, Access::organization});
  router.add("POST", "/api/v1/auth/logout", {logout, Access::application});
  router.add("GET", "/api/v1/health", {health, Access::anyone});
  router.add("GET", "/api/v1/health/ping", {ping, Access::anyone});
}

}  // namespace hookd::api

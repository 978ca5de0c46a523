// /api/v1/auth/… (application tokens), /api/v1/health, the probes /health/live and /health/ready, and
// /metrics.
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

// Never blocks: the database is asked through the store's writer. Unauthenticated, so it says whether
// each part works and nothing more; the reason a part fails goes to the operator's log.
void health(Services& services, Call&, Done done) {
  const auto queue = services.queue_health ? services.queue_health() : core::Status{};
  services.store.ping([&services, queue, done](core::Status database) {
    auto part = [](const core::Status& status) { return json::object{{"status", status ? "ok" : "error"}}; };
    if (services.options.error) {
      if (!database) services.options.error("health: the database does not answer: " + database.error().detail);
      if (!queue) services.options.error("health: the delivery queue does not work: " + queue.error().detail);
    }
    const bool healthy = database.ok() && queue.ok();
    done(Reply::json(
        healthy ? 200 : 503,
        json::object{{"database", part(database)}, {"queue", part(queue)}, {"cache", json::object{{"status", "ok"}}}}));
  });
}

void ping(Services&, Call&, Done done) { done(Reply::empty(204)); }

// Liveness: the process answers requests. Nothing else is asked, so that a database outage never gets
// a healthy process restarted.
void live(Services&, Call&, Done done) { done(Reply::json(200, json::object{{"status", "ok"}})); }

// Readiness: this node may take traffic (Store::readiness: the database answers and, on PostgreSQL, the
// node holds its leases). 503 until it may again. Never blocks.
void ready(Services& services, Call&, Done done) {
  services.store.readiness([&services, done](core::Status status) {
    if (!status && services.options.error) services.options.error("readiness: " + status.error().detail);
    done(Reply::json(status ? 200 : 503, json::object{{"status", status ? "ok" : "unavailable"}}));
  });
}

// The metrics in Prometheus's text format. Counting the gauges reads the store: on a worker.
core::Result<Reply> metrics_text(Services& services, Call&) {
  if (!services.options.render_metrics) return core::error(core::ErrorCode::not_found, "this server keeps no metrics");
  return Reply::text(200, services.options.render_metrics(), std::string(metrics::Metrics::kContentType));
}

}  // namespace

void add_auth_and_health_routes(ApiRouter& router) {
  router.add("POST", "/api/v1/auth/app-portal-access/{app_id}", {app_portal_access, Access::organization});
  router.add("POST", "/api/v1/auth/logout", {logout, Access::application});
  router.add("GET", "/api/v1/health", {nullptr, Access::anyone, health});
  router.add("GET", "/api/v1/health/ping", {nullptr, Access::anyone, ping});
  router.add("GET", "/health/live", {nullptr, Access::anyone, live});
  router.add("GET", "/health/ready", {nullptr, Access::anyone, ready});
  router.add("GET", "/metrics", {metrics_text, Access::organization});
}

}  // namespace hookd::api

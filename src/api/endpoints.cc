// /api/v1/app/{app_id}/endpoint: endpoints of an application.
#include <boost/json.hpp>

#include "api/endpoint_fields.h"
#include "api/resolve.h"
#include "api/response_output.h"
#include "core/ids.h"
#include "delivery/dispatcher.h"
#include "hookd/sign/secret.h"

namespace hookd::api {
namespace {

void notify_changed(Services& services, const std::string& endpoint_id) {
  if (services.dispatcher) services.dispatcher->endpoint_changed(endpoint_id);
}

// Tells the operator (operational webhooks) of a change to an endpoint.
void report(Services& services, const char* type, const store::Endpoint& endpoint) {
  if (!services.options.events) return;
  delivery::OperationalEvent event;
  event.type = type;
  event.org_id = endpoint.org_id;
  event.app_id = endpoint.app_id;
  event.endpoint_id = endpoint.id;
  event.endpoint_uid = endpoint.uid;
  if (event.type == "endpoint.disabled") event.trigger = "manual";
  services.options.events->publish(std::move(event));
}

store::Endpoint new_endpoint(const store::Application& app, const EndpointFields& fields, core::TimePoint now) {
  store::Endpoint endpoint;
  endpoint.id = core::new_id("ep_");
  endpoint.org_id = app.org_id;
  endpoint.app_id = app.id;
  endpoint.created_at = endpoint.updated_at = now;
  apply_endpoint_fields(endpoint, fields, true);
  endpoint.keys = {{fields.secret.value_or(sign::Secret::generate_hmac().to_string()), std::nullopt}};
  endpoint.headers = fields.headers.value_or(store::StringMap{});
  return endpoint;
}

core::Result<Reply> create_endpoint(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto fields = read_endpoint_fields(call.request.body, true, services.options.https_only);
  if (!fields) return fail(std::move(fields).error());
  auto created = services.store.create_endpoint(new_endpoint(*app, *fields, services.clock.now()));
  if (!created) return fail(std::move(created).error());
  report(services, "endpoint.created", *created);
  return Reply::json(201, endpoint_json(*created));
}

core::Result<Reply> list_endpoints(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  const store::PageQuery page = call.query.page();
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto endpoints = services.store.list_endpoints(app->org_id, app->id, page);
  if (!endpoints) return fail(std::move(endpoints).error());
  return Reply::raw(200, page_json(*endpoints, endpoint_json, [](const store::Endpoint& e) { return e.id; }));
}

core::Result<Reply> get_endpoint(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto endpoint = resolve_endpoint(services, call, *app);
  if (!endpoint) return fail(std::move(endpoint).error());
  return Reply::json(200, endpoint_json(*endpoint));
}

core::Result<Reply> write_endpoint(Services& services, Call& call, bool put) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto fields = read_endpoint_fields(call.request.body, put, services.options.https_only);
  if (!fields) return fail(std::move(fields).error());
  const auto now = services.clock.now();
  std::optional<store::Endpoint> create;
  if (put && is_name(call.param("endpoint_id"))) {
    // PUT to a uid that does not exist yet creates the endpoint with that uid.
    create = new_endpoint(*app, *fields, now);
    if (!create->uid) create->uid = call.param("endpoint_id");
  }
  bool was_disabled = false;
  auto saved = services.store.update_endpoint(
      app->org_id, app->id, call.param("endpoint_id"),
      [&](store::Endpoint& endpoint) {
        was_disabled = endpoint.disabled;
        apply_endpoint_fields(endpoint, *fields, put);
        endpoint.updated_at = now;
        return core::Status{};
      },
      std::move(create));
  if (!saved) return fail(std::move(saved).error());
  notify_changed(services, saved->value.id);
  const store::Endpoint& endpoint = saved->value;
  report(services, saved->created ? "endpoint.created" : "endpoint.updated", endpoint);
  if (!saved->created && endpoint.disabled && !was_disabled && services.options.metrics)
    services.options.metrics->endpoint_disabled(metrics::DisableReason::api);
  if (!saved->created && endpoint.disabled != was_disabled)
    report(services, endpoint.disabled ? "endpoint.disabled" : "endpoint.enabled", endpoint);
  return Reply::json(saved->created ? 201 : 200, endpoint_json(endpoint));
}

core::Result<Reply> put_endpoint(Services& services, Call& call) { return write_endpoint(services, call, true); }
core::Result<Reply> patch_endpoint(Services& services, Call& call) { return write_endpoint(services, call, false); }

core::Result<Reply> delete_endpoint(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto endpoint = resolve_endpoint(services, call, *app);
  if (!endpoint) return fail(std::move(endpoint).error());
  if (auto deleted = services.store.delete_endpoint(app->org_id, app->id, endpoint->id); !deleted) {
    return fail(std::move(deleted).error());
  }
  notify_changed(services, endpoint->id);
  report(services, "endpoint.deleted", *endpoint);
  return Reply::empty(204);
}

}  // namespace

void add_endpoint_routes(ApiRouter& router) {
  router.add("GET", "/api/v1/app/{app_id}/endpoint", {list_endpoints, Access::application});
  router.add("POST", "/api/v1/app/{app_id}/endpoint", {create_endpoint, Access::application});
  router.add("GET", "/api/v1/app/{app_id}/endpoint/{endpoint_id}", {get_endpoint, Access::application});
  router.add("PUT", "/api/v1/app/{app_id}/endpoint/{endpoint_id}", {put_endpoint, Access::application});
  router.add("PATCH", "/api/v1/app/{app_id}/endpoint/{endpoint_id}", {patch_endpoint, Access::application});
  router.add("DELETE", "/api/v1/app/{app_id}/endpoint/{endpoint_id}", {delete_endpoint, Access::application});
}

}  // namespace hookd::api

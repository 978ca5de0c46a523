#include "api/resolve.h"

#include <boost/json.hpp>

namespace hookd::api {

Reply Reply::json(int status, const boost::json::object& body) { return {status, boost::json::serialize(body), {}}; }

namespace {

std::string application_key(const std::string& org_id, const std::string& app) { return org_id + '\n' + app; }

core::Result<store::Application> checked_access(const Call& call, store::Application app) {
  if (call.caller.app_id && *call.caller.app_id != app.id) {
    return core::error(core::ErrorCode::forbidden, "this token is for another application");
  }
  return app;
}

// Reads the app from the store into the cache.
core::Result<store::Application> load_application(Services& services, const std::string& org_id,
                                                  const std::string& app_key) {
  const std::string key = application_key(org_id, app_key);
  auto app = services.store.get_application(org_id, app_key);
  if (app) {
    services.applications.put(key, std::make_shared<const store::Application>(*app));
  } else if (app.error().code == core::ErrorCode::not_found) {
    services.applications.forget(key);
  } else {
    services.applications.not_loaded(key);
  }
  return app;
}

}  // namespace

core::Result<store::Application> resolve_app(Services& services, Call& call) {
  auto app = load_application(services, call.caller.org_id, call.param("app_id"));
  if (!app) return app;
  return checked_access(call, std::move(*app));
}

std::optional<core::Result<store::Application>> known_app(Services& services, Call& call) {
  const std::string& org_id = call.caller.org_id;
  const std::string& app_key = call.param("app_id");
  auto found = services.applications.find(application_key(org_id, app_key));
  if (found.load_again) {
    services.in_background([&services, org_id, app_key] { (void)load_application(services, org_id, app_key); });
  }
  if (!found.value) return std::nullopt;
  return checked_access(call, *found.value);
}

core::Result<store::Endpoint> resolve_endpoint(Services& services, Call& call, const store::Application& app) {
  return services.store.get_endpoint(app.org_id, app.id, call.param("endpoint_id"));
}

core::Result<store::Message> resolve_message(Services& services, Call& call, const store::Application& app) {
  return services.store.get_message(app.id, call.param("msg_id"));
}

core::Status check_query(Call& call) { return call.query.status(); }

}  // namespace hookd::api

#include "api/resolve.h"

#include <boost/json.hpp>

namespace hookd::api {

Reply Reply::json(int status, const boost::json::object& body) { return {status, boost::json::serialize(body)}; }

core::Result<store::Application> resolve_app(Services& services, Call& call) {
  auto app = services.store.get_application(call.caller.org_id, call.param("app_id"));
  if (!app) return app;
  if (call.caller.app_id && *call.caller.app_id != app->id) {
    return core::error(core::ErrorCode::forbidden, "this token is for another application");
  }
  return app;
}

core::Result<store::Endpoint> resolve_endpoint(Services& services, Call& call, const store::Application& app) {
  return services.store.get_endpoint(app.org_id, app.id, call.param("endpoint_id"));
}

core::Result<store::Message> resolve_message(Services& services, Call& call, const store::Application& app) {
  return services.store.get_message(app.id, call.param("msg_id"));
}

core::Status check_query(Call& call) { return call.query.status(); }

}  // namespace hookd::api

// /api/v1/app: applications.
#include <boost/json.hpp>

#include "api/resolve.h"
#include "api/response_output.h"
#include "core/ids.h"
#include "delivery/dispatcher.h"

namespace hookd::api {
namespace {

struct ApplicationFields {
  std::optional<std::string> name;
  Nullable<std::string> uid;
  Nullable<std::int64_t> throttle_rate;
  std::optional<store::StringMap> metadata;
};

// ApplicationIn / ApplicationPatch. `rateLimit` is the legacy name of `throttleRate`.
core::Result<ApplicationFields> read_fields(std::string_view body, bool name_required) {
  auto object = parse_body_object(body);
  if (!object) return fail(std::move(object).error());
  FieldReader reader(*object);
  ApplicationFields fields;
  fields.name = reader.string("name", name_required);
  if (fields.name && fields.name->empty()) reader.invalid("name", "must not be empty");
  fields.uid = reader.nullable_name("uid");
  fields.throttle_rate = reader.has("throttleRate") ? reader.nullable_integer("throttleRate", 1, 65535)
                                                    : reader.nullable_integer("rateLimit", 1, 65535);
  fields.metadata = reader.string_map("metadata");
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  return fields;
}

std::optional<int> as_int(const std::optional<std::int64_t>& value) {
  return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

// PUT and POST replace every field; PATCH only those given.
void apply(store::Application& app, const ApplicationFields& fields, bool replace) {
  if (fields.name) app.name = *fields.name;
  if (fields.uid || replace) app.uid = fields.uid.value_or(std::nullopt);
  if (fields.throttle_rate || replace) app.throttle_rate = as_int(fields.throttle_rate.value_or(std::nullopt));
  if (fields.metadata || replace) app.metadata = fields.metadata.value_or(store::StringMap{});
}

store::Application new_application(const Call& call, const ApplicationFields& fields, core::TimePoint now) {
  store::Application app;
  app.id = core::new_id("app_");
  app.org_id = call.caller.org_id;
  app.created_at = app.updated_at = now;
  apply(app, fields, true);
  return app;
}

core::Result<Reply> create_application(Services& services, Call& call) {
  auto fields = read_fields(call.request.body, true);
  if (!fields) return fail(std::move(fields).error());
  const bool get_if_exists = call.query.boolean("get_if_exists", false);
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  if (get_if_exists && fields->uid && *fields->uid) {
    if (auto existing = services.store.get_application(call.caller.org_id, **fields->uid)) {
      return Reply::json(200, application_json(*existing));
    }
  }
  auto created = services.store.create_application(new_application(call, *fields, services.clock.now()));
  if (!created && get_if_exists && created.error().code == core::ErrorCode::conflict) {
    // Created meanwhile by a concurrent get-or-create: answer with it.
    if (auto existing = services.store.get_application(call.caller.org_id, **fields->uid)) {
      return Reply::json(200, application_json(*existing));
    }
  }
  if (!created) return fail(std::move(created).error());
  return Reply::json(201, application_json(*created));
}

core::Result<Reply> list_applications(Services& services, Call& call) {
  const store::PageQuery page = call.query.page();
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto apps = services.store.list_applications(call.caller.org_id, page);
  if (!apps) return fail(std::move(apps).error());
  return Reply::raw(200, page_json(*apps, application_json, [](const store::Application& a) { return a.id; }));
}

core::Result<Reply> get_application(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  return Reply::json(200, application_json(*app));
}

core::Result<Reply> write_application(Services& services, Call& call, bool put) {
  auto fields = read_fields(call.request.body, put);
  if (!fields) return fail(std::move(fields).error());
  if (call.caller.app_id) {
    if (auto app = resolve_app(services, call); !app) return fail(std::move(app).error());
  }
  const auto now = services.clock.now();
  std::optional<store::Application> create;
  if (put && is_name(call.param("app_id")) && !call.caller.app_id) {
    // PUT to a uid that does not exist yet creates the application with that uid.
    create = new_application(call, *fields, now);
    if (!create->uid) create->uid = call.param("app_id");
  }
  auto saved = services.store.update_application(
      call.caller.org_id, call.param("app_id"),
      [&](store::Application& app) {
        apply(app, *fields, put);
        app.updated_at = now;
        return core::Status{};
      },
      std::move(create));
  if (!saved) return fail(std::move(saved).error());
  services.applications.forget_all();  // the old uid may be cached, and this node's other keys of it
  if (services.dispatcher) services.dispatcher->application_changed(saved->value.id);
  return Reply::json(saved->created ? 201 : 200, application_json(saved->value));
}

core::Result<Reply> put_application(Services& services, Call& call) { return write_application(services, call, true); }
core::Result<Reply> patch_application(Services& services, Call& call) {
  return write_application(services, call, false);
}

core::Result<Reply> delete_application(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  if (auto deleted = services.store.delete_application(call.caller.org_id, app->id); !deleted) {
    return fail(std::move(deleted).error());
  }
  services.applications.forget_all();
  if (services.dispatcher) services.dispatcher->application_changed(app->id);
  return Reply::empty(204);
}

}  // namespace

void add_application_routes(ApiRouter& router) {
  router.add("GET", "/api/v1/app", {list_applications, Access::organization});
  router.add("POST", "/api/v1/app", {create_application, Access::organization});
  router.add("GET", "/api/v1/app/{app_id}", {get_application, Access::application});
  router.add("PUT", "/api/v1/app/{app_id}", {put_application, Access::application});
  router.add("PATCH", "/api/v1/app/{app_id}", {patch_application, Access::application});
  router.add("DELETE", "/api/v1/app/{app_id}", {delete_application, Access::organization});
}

}  // namespace hookd::api

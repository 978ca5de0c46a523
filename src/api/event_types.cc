// /api/v1/event-type: event types, named within an organization.
#include <boost/json.hpp>

#include "api/resolve.h"
#include "api/response_output.h"

namespace hookd::api {
namespace {

struct EventTypeFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<bool> archived;
  std::optional<bool> deprecated;
  Nullable<std::string> schemas;  // serialized JSON object
  Nullable<std::string> feature_flag;
};

core::Result<EventTypeFields> read_fields(std::string_view body, bool with_name, bool description_required) {
  auto object = parse_body_object(body);
  if (!object) return fail(std::move(object).error());
  FieldReader reader(*object);
  EventTypeFields fields;
  if (with_name) {
    fields.name = reader.string("name", true);
    if (fields.name && !is_name(*fields.name)) {
      reader.invalid("name", "must be 1 to 256 characters of a-z, A-Z, 0-9, '-', '_' and '.'");
    }
  }
  fields.description = reader.string("description", description_required);
  fields.archived = reader.boolean("archived");
  fields.deprecated = reader.boolean("deprecated");
  fields.feature_flag = reader.nullable_name("featureFlag");
  if (const auto* schemas = reader.value("schemas")) {
    if (schemas->is_null()) {
      fields.schemas = std::optional<std::string>();
    } else if (schemas->is_object()) {
      fields.schemas = std::optional<std::string>(boost::json::serialize(*schemas));
    } else {
      reader.invalid("schemas", "must be an object or null");
    }
  }
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  return fields;
}

void apply(store::EventType& type, const EventTypeFields& fields, bool replace) {
  if (fields.description) type.description = *fields.description;
  if (fields.archived || replace) type.archived = fields.archived.value_or(false);
  if (fields.deprecated || replace) type.deprecated = fields.deprecated.value_or(false);
  if (fields.schemas || replace) type.schemas = fields.schemas.value_or(std::nullopt);
  if (fields.feature_flag || replace) type.feature_flag = fields.feature_flag.value_or(std::nullopt);
}

core::Result<Reply> create_event_type(Services& services, Call& call) {
  auto fields = read_fields(call.request.body, true, true);
  if (!fields) return fail(std::move(fields).error());
  store::EventType type;
  type.org_id = call.caller.org_id;
  type.name = *fields->name;
  type.created_at = type.updated_at = services.clock.now();
  apply(type, *fields, true);
  auto created = services.store.create_event_type(std::move(type));
  if (!created) return fail(std::move(created).error());
  return Reply::json(201, event_type_json(*created));
}

core::Result<Reply> list_event_types(Services& services, Call& call) {
  const store::PageQuery page = call.query.page(true);
  const bool include_archived = call.query.boolean("include_archived", false);
  const bool with_content = call.query.boolean("with_content", false);
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto types = services.store.list_event_types(call.caller.org_id, page, include_archived);
  if (!types) return fail(std::move(types).error());
  return Reply::raw(200, page_json(
                             *types, [&](const store::EventType& t) { return event_type_json(t, with_content); },
                             [](const store::EventType& t) { return t.name; }));
}

core::Result<Reply> get_event_type(Services& services, Call& call) {
  auto type = services.store.get_event_type(call.caller.org_id, call.param("event_type_name"));
  if (!type) return fail(std::move(type).error());
  return Reply::json(200, event_type_json(*type));
}

core::Result<Reply> write_event_type(Services& services, Call& call, bool put) {
  auto fields = read_fields(call.request.body, false, put);
  if (!fields) return fail(std::move(fields).error());
  const std::string& name = call.param("event_type_name");
  const auto now = services.clock.now();
  std::optional<store::EventType> create;
  if (put) {
    if (!is_name(name)) return core::invalid({"path", "event_type_name"}, "not a valid event type name");
    create = store::EventType{call.caller.org_id, name, "", false, false, std::nullopt, std::nullopt, now, now};
    apply(*create, *fields, true);
  }
  auto saved = services.store.update_event_type(
      call.caller.org_id, name,
      [&](store::EventType& type) {
        apply(type, *fields, put);
        type.updated_at = now;
        return core::Status{};
      },
      std::move(create));
  if (!saved) return fail(std::move(saved).error());
  return Reply::json(saved->created ? 201 : 200, event_type_json(saved->value));
}

core::Result<Reply> put_event_type(Services& services, Call& call) { return write_event_type(services, call, true); }
core::Result<Reply> patch_event_type(Services& services, Call& call) { return write_event_type(services, call, false); }

core::Result<Reply> delete_event_type(Services& services, Call& call) {
  const bool expunge = call.query.boolean("expunge", false);
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  if (auto deleted = services.store.delete_event_type(call.caller.org_id, call.param("event_type_name"), expunge);
      !deleted) {
    return fail(std::move(deleted).error());
  }
  return Reply::empty(204);
}

}  // namespace

void add_event_type_routes(ApiRouter& router) {
  router.add("GET", "/api/v1/event-type", {list_event_types, Access::read_shared});
  router.add("POST", "/api/v1/event-type", {create_event_type, Access::organization});
  router.add("GET", "/api/v1/event-type/{event_type_name}", {get_event_type, Access::read_shared});
  router.add("PUT", "/api/v1/event-type/{event_type_name}", {put_event_type, Access::organization});
  router.add("PATCH", "/api/v1/event-type/{event_type_name}", {patch_event_type, Access::organization});
  router.add("DELETE", "/api/v1/event-type/{event_type_name}", {delete_event_type, Access::organization});
}

}  // namespace hookd::api

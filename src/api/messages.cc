// /api/v1/app/{app_id}/msg: publishing and reading messages. The payload is stored and delivered byte
// for byte as it appeared in the request body.
#include <boost/json.hpp>

#include "api/raw_json.h"
#include "api/resolve.h"
#include "api/response_output.h"
#include "core/ids.h"
#include "delivery/dispatcher.h"

namespace hookd::api {
namespace {

constexpr std::int64_t kDefaultRetentionDays = 90;

struct MessageFields {
  std::string event_type;
  std::string payload;  // raw JSON object text
  std::optional<std::string> event_id;
  std::optional<std::vector<std::string>> channels;
  std::chrono::hours retention{24 * kDefaultRetentionDays};
  std::optional<std::string> application_name;  // "application": create the app when it is missing
  std::optional<std::string> application_uid;
};

core::Result<MessageFields> read_fields(std::string_view body) {
  auto object = parse_body_object(body);
  if (!object) return fail(std::move(object).error());
  FieldReader reader(*object);
  MessageFields fields;
  if (auto type = reader.string("eventType", true)) {
    if (!is_name(*type)) reader.invalid("eventType", "must be 1 to 256 characters of a-z, A-Z, 0-9, '-', '_' and '.'");
    fields.event_type = std::move(*type);
  }
  // "data" is the legacy name of "payload".
  const char* payload_key = object->contains("payload") ? "payload" : "data";
  const auto* payload = object->if_contains(payload_key);
  if (!payload) {
    reader.invalid("payload", "field required");
  } else if (!payload->is_object()) {
    reader.invalid(payload_key, "must be a JSON object");
  } else {
    fields.payload = std::string(raw_member(body, payload_key).value_or("{}"));
  }
  if (auto event_id = reader.nullable_name("eventId"); event_id && *event_id) fields.event_id = **event_id;
  if (auto channels = reader.nullable_names("channels", 5, 128); channels && *channels) fields.channels = **channels;
  if (reader.has("payloadRetentionHours")) {
    if (auto hours = reader.integer("payloadRetentionHours", 1, 24 * kDefaultRetentionDays)) {
      fields.retention = std::chrono::hours(*hours);
    }
  } else if (auto days = reader.integer("payloadRetentionPeriod", 5, kDefaultRetentionDays)) {
    fields.retention = std::chrono::hours(24 * *days);
  }
  if (const auto* application = reader.value("application"); application && application->is_object()) {
    FieldReader app(application->as_object(), {"body", "application"});
    fields.application_name = app.string("name");
    if (auto uid = app.nullable_name("uid"); uid && *uid) fields.application_uid = **uid;
    reader.add_problems_of(app);
  }
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  return fields;
}

// The app of the path, created on the fly when the body carries "application" and the caller may.
core::Result<store::Application> app_for_message(Services& services, Call& call, const MessageFields& fields) {
  auto app = resolve_app(services, call);
  if (app || app.error().code != core::ErrorCode::not_found || !fields.application_name || call.caller.app_id) {
    return app;
  }
  const std::string& path_id = call.param("app_id");
  if (!is_name(path_id)) return app;
  const auto now = services.clock.now();
  store::Application created{core::new_id("app_"),
                             call.caller.org_id,
                             fields.application_uid.value_or(path_id),
                             *fields.application_name,
                             std::nullopt,
                             {},
                             now,
                             now};
  auto saved = services.store.create_application(std::move(created));
  if (!saved && saved.error().code == core::ErrorCode::conflict) return resolve_app(services, call);
  return saved;
}

store::NewMessage new_message(Services& services, const store::Application& app, MessageFields&& fields) {
  const auto now = services.clock.now();
  store::NewMessage input;
  input.message = {core::new_id("msg_"),
                   app.org_id,
                   app.id,
                   std::move(fields.event_type),
                   fields.event_id,
                   fields.channels,
                   std::move(fields.payload),
                   now,
                   now + fields.retention};
  input.claim = services.dispatcher != nullptr;  // without one, the deliveries wait for a worker node
  if (services.dispatcher) input.leave_queued = services.dispatcher->leave_queued();
  return input;
}

// Committed: hand the deliveries to this node's dispatcher, which has them claimed already.
core::Result<Reply> created_reply(Services& services, core::Result<store::CreatedMessage>&& created,
                                  bool with_content) {
  if (!created) return fail(std::move(created).error());
  services.count_accepted(metrics::Origin::api);
  if (services.dispatcher) services.dispatcher->submit(std::move(created->tasks), std::move(created->queued));
  return Reply::raw(202, message_json(created->message, with_content));
}

// Writes the message through the store's group commit and answers once it committed. Never blocks.
void publish(Services& services, const store::Application& app, MessageFields&& fields, bool with_content, Done done) {
  services.store.create_message_async(new_message(services, app, std::move(fields)),
                                      [&services, with_content, done](core::Result<store::CreatedMessage> created) {
                                        done(created_reply(services, std::move(created), with_content));
                                      });
}

// The hot route. It runs on the I/O thread and never waits on the store there: the application comes
// from the API's cache of applications, and the answer from the store's writer once the group commit
// holding the message is done. An application not in the cache (or one the request may create) is read
// on a worker.
void create_message(Services& services, Call& call, Done done) {
  auto fields = read_fields(call.request.body);
  if (!fields) return done(fail(std::move(fields).error()));
  const bool with_content = call.query.boolean("with_content", true);
  if (auto checked = check_query(call); !checked) return done(fail(std::move(checked).error()));

  if (!fields->application_name) {
    if (auto known = known_app(services, call)) {
      if (!*known) return done(fail(std::move(*known).error()));
      return publish(services, **known, std::move(*fields), with_content, done);
    }
  }
  services.in_background([&services, &call, fields = std::move(*fields), with_content, done]() mutable {
    auto app = app_for_message(services, call, fields);
    if (!app) return done(fail(std::move(app).error()));
    publish(services, *app, std::move(fields), with_content, done);
  });
}

store::MessageFilter message_filter(Call& call) {
  store::MessageFilter filter;
  filter.channel = call.query.get("channel");
  filter.event_types = call.query.list("event_types");
  filter.before = call.query.time("before");
  filter.after = call.query.time("after");
  return filter;
}

core::Result<Reply> list_messages(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  const store::PageQuery page = call.query.page();
  const store::MessageFilter filter = message_filter(call);
  const bool with_content = call.query.boolean("with_content", true);
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto messages = services.store.list_messages(app->id, page, filter);
  if (!messages) return fail(std::move(messages).error());
  return Reply::raw(200, page_json(
                             *messages, [&](const store::Message& m) { return message_json(m, with_content); },
                             [](const store::Message& m) { return m.id; }));
}

core::Result<Reply> get_message(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  const bool with_content = call.query.boolean("with_content", true);
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  return Reply::raw(200, message_json(*message, with_content));
}

core::Result<Reply> expunge_content(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  if (auto expunged = services.store.expunge_message_content(app->id, message->id); !expunged) {
    return fail(std::move(expunged).error());
  }
  return Reply::empty(204);
}

}  // namespace

// Shared with attempts.cc.
store::MessageFilter read_message_filter(Call& call) { return message_filter(call); }

void add_message_routes(ApiRouter& router) {
  router.add("GET", "/api/v1/app/{app_id}/msg", {list_messages, Access::application});
  router.add("POST", "/api/v1/app/{app_id}/msg", {nullptr, Access::application, create_message});
  router.add("GET", "/api/v1/app/{app_id}/msg/{msg_id}", {get_message, Access::application});
  router.add("DELETE", "/api/v1/app/{app_id}/msg/{msg_id}/content", {expunge_content, Access::application});
}

}  // namespace hookd::api

// The per-endpoint routes beside CRUD: the signing secret and its rotation, custom headers, delivery
// statistics, sending an example, and recovering failed deliveries.
#include <boost/json.hpp>

#include "api/endpoint_fields.h"
#include "api/resolve.h"
#include "api/response_output.h"
#include "core/ids.h"
#include "delivery/dispatcher.h"
#include "hookd/sign/secret.h"

namespace hookd::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultGraceSeconds = 24 * 3600;
constexpr std::int64_t kMaxGraceSeconds = 7 * 24 * 3600;
constexpr std::size_t kMaxOldKeys = 10;

// Resolves {app_id} and {endpoint_id}.
struct Target {
  store::Application app;
  store::Endpoint endpoint;
};
core::Result<Target> resolve_target(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto endpoint = resolve_endpoint(services, call, *app);
  if (!endpoint) return fail(std::move(endpoint).error());
  return Target{std::move(*app), std::move(*endpoint)};
}

core::Status change_endpoint(Services& services, const Target& target, const store::Change<store::Endpoint>& change) {
  const auto now = services.clock.now();
  auto saved = services.store.update_endpoint(
      target.app.org_id, target.app.id, target.endpoint.id,
      [&](store::Endpoint& endpoint) {
        if (auto changed = change(endpoint); !changed) return changed;
        endpoint.updated_at = now;
        return core::Status{};
      },
      std::nullopt);
  if (!saved) return fail(std::move(saved).error());
  if (services.dispatcher) services.dispatcher->endpoint_changed(target.endpoint.id);
  return {};
}

core::Result<Reply> get_secret(Services& services, Call& call) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  const auto& keys = target->endpoint.keys;
  return Reply::json(200, json::object{{"key", keys.empty() ? std::string() : keys.front().secret}});
}

// The current key becomes an old key valid for the grace period; the new key signs from now on, and
// during the grace period deliveries carry a signature for each valid key.
core::Result<Reply> rotate_secret(Services& services, Call& call) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  auto body = parse_body_object(call.request.body.empty() ? std::string_view("{}") : call.request.body);
  if (!body) return fail(std::move(body).error());
  FieldReader reader(*body);
  const auto key = reader.nullable_string("key");
  const auto grace = reader.nullable_integer("gracePeriodSeconds", 0, kMaxGraceSeconds);
  std::string new_key = sign::Secret::generate_hmac().to_string();
  if (key && *key) {
    auto checked = check_endpoint_secret(**key, "key");
    if (!checked) return fail(std::move(checked).error());
    new_key = std::move(*checked);
  }
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  const auto now = services.clock.now();
  const auto expires = now + std::chrono::seconds(grace && *grace ? **grace : kDefaultGraceSeconds);

  auto changed = change_endpoint(services, *target, [&](store::Endpoint& endpoint) {
    std::vector<store::EndpointKey> old;
    for (auto& existing : endpoint.keys) {
      if (!existing.expires_at) existing.expires_at = expires;
      if (*existing.expires_at > now) old.push_back(std::move(existing));
    }
    // The ten most recent old keys stay valid; older ones go.
    std::sort(old.begin(), old.end(), [](const auto& a, const auto& b) { return *a.expires_at > *b.expires_at; });
    if (old.size() > kMaxOldKeys) old.resize(kMaxOldKeys);
    endpoint.keys = {{new_key, std::nullopt}};
    endpoint.keys.insert(endpoint.keys.end(), old.begin(), old.end());
    return core::Status{};
  });
  if (!changed) return fail(std::move(changed).error());
  return Reply::empty(204);
}

core::Result<Reply> get_headers(Services& services, Call& call) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  json::object headers;
  json::array sensitive;
  for (const auto& [name, value] : target->endpoint.headers) {
    if (is_sensitive_header(name)) {
      sensitive.emplace_back(name);
    } else {
      headers[name] = value;
    }
  }
  return Reply::json(200, json::object{{"headers", std::move(headers)}, {"sensitive", std::move(sensitive)}});
}

core::Result<Reply> write_headers(Services& services, Call& call, bool replace) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  auto body = parse_body_object(call.request.body);
  if (!body) return fail(std::move(body).error());
  FieldReader reader(*body);
  const auto given = reader.nullable_string_map("headers");
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  store::StringMap headers = replace ? store::StringMap{} : target->endpoint.headers;
  for (const auto& [name, value] : *given) {
    // Header names compare case-insensitively: a new spelling replaces the old one.
    std::erase_if(headers, [&](const auto& entry) { return sign::iequals(entry.first, name); });
    if (value) headers[name] = *value;
  }
  if (auto checked = check_custom_headers(headers); !checked) return fail(std::move(checked).error());
  auto changed = change_endpoint(services, *target, [&](store::Endpoint& endpoint) {
    endpoint.headers = headers;
    return core::Status{};
  });
  if (!changed) return fail(std::move(changed).error());
  return Reply::empty(204);
}

core::Result<Reply> put_headers(Services& services, Call& call) { return write_headers(services, call, true); }
core::Result<Reply> patch_headers(Services& services, Call& call) { return write_headers(services, call, false); }

core::Result<Reply> get_stats(Services& services, Call& call) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  const auto since = call.query.time("since");
  const auto until = call.query.time("until");
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto stats = services.store.endpoint_stats(target->app.id, target->endpoint.id, since, until);
  if (!stats) return fail(std::move(stats).error());
  return Reply::json(200, stats_json(*stats));
}

// The first example in the event type's schemas, or a small object naming the event type.
std::string example_payload(const store::EventType& type) {
  if (type.schemas) {
    boost::system::error_code error;
    const json::value schemas = json::parse(*type.schemas, error);
    if (!error && schemas.is_object()) {
      for (const auto& [version, schema] : schemas.as_object()) {
        const auto* examples = schema.is_object() ? schema.as_object().if_contains("examples") : nullptr;
        if (examples && examples->is_array() && !examples->as_array().empty() &&
            examples->as_array().front().is_object()) {
          return json::serialize(examples->as_array().front());
        }
      }
    }
  }
  return json::serialize(json::object{{"type", type.name}, {"example", true}});
}

core::Result<Reply> send_example(Services& services, Call& call) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  auto body = parse_body_object(call.request.body);
  if (!body) return fail(std::move(body).error());
  FieldReader reader(*body);
  const auto event_type = reader.string("eventType", true);
  if (event_type && !is_name(*event_type)) reader.invalid("eventType", "not a valid event type name");
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  auto type = services.store.get_event_type(target->app.org_id, *event_type);
  if (!type) return fail(std::move(type).error());

  const auto now = services.clock.now();
  store::NewMessage input;
  input.message = {core::new_id("msg_"),
                   target->app.org_id,
                   target->app.id,
                   *event_type,
                   std::nullopt,
                   std::nullopt,
                   example_payload(*type),
                   now,
                   now + std::chrono::hours(24 * 90)};
  input.only_endpoint = target->endpoint.id;
  input.claim = services.dispatcher != nullptr;
  auto created = services.store.create_message(std::move(input));
  if (!created) return fail(std::move(created).error());
  services.count_accepted(metrics::Origin::api);
  if (services.dispatcher) services.dispatcher->submit(std::move(created->tasks), std::move(created->queued));
  return Reply::raw(200, message_json(created->message, true));
}

core::Result<Reply> recover(Services& services, Call& call) {
  auto target = resolve_target(services, call);
  if (!target) return fail(std::move(target).error());
  auto body = parse_body_object(call.request.body);
  if (!body) return fail(std::move(body).error());
  FieldReader reader(*body);
  const auto since_text = reader.string("since", true);
  const auto until_text = reader.nullable_string("until");
  std::optional<core::TimePoint> since, until;
  if (since_text && !(since = core::parse_rfc3339(*since_text)))
    reader.invalid("since", "must be an RFC 3339 date-time");
  if (until_text && *until_text && !(until = core::parse_rfc3339(**until_text))) {
    reader.invalid("until", "must be an RFC 3339 date-time");
  }
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  // Back in the queue, in the store: however many failed, they are sent as the endpoint's queue in
  // memory has room, and a disabled endpoint gets them once enabled.
  auto requeued =
      services.store.requeue_failed(target->app.id, target->endpoint.id, *since, until, services.clock.now());
  if (!requeued) return fail(std::move(requeued).error());
  if (services.dispatcher && *requeued > 0) services.dispatcher->submit({}, {target->endpoint.id});
  return Reply::json(202, json::object{{"id", core::new_id("qtask_")},
                                       {"status", "running"},
                                       {"task", "endpoint.recover"},
                                       {"updatedAt", core::format_rfc3339(services.clock.now())}});
}

}  // namespace

void add_endpoint_settings_routes(ApiRouter& router) {
  const std::string base = "/api/v1/app/{app_id}/endpoint/{endpoint_id}";
  router.add("GET", base + "/secret", {get_secret, Access::application});
  router.add("POST", base + "/secret/rotate", {rotate_secret, Access::application});
  router.add("GET", base + "/headers", {get_headers, Access::application});
  router.add("PUT", base + "/headers", {put_headers, Access::application});
  router.add("PATCH", base + "/headers", {patch_headers, Access::application});
  router.add("GET", base + "/stats", {get_stats, Access::application});
  router.add("POST", base + "/send-example", {send_example, Access::application});
  router.add("POST", base + "/recover", {recover, Access::application});
}

}  // namespace hookd::api

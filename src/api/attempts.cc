// Attempts and destinations: /api/v1/app/{app_id}/attempt/…, …/endpoint/{endpoint_id}/msg,
// …/msg/{msg_id}/endpoint, …/msg/{msg_id}/attempt/{attempt_id}, and resending.
#include <boost/json.hpp>

#include "api/resolve.h"
#include "api/response_output.h"
#include "delivery/dispatcher.h"

namespace hookd::api {
namespace {

std::optional<store::MessageStatus> read_status(Call& call) {
  const auto status = call.query.integer("status", 0, 3);
  return status ? std::optional<store::MessageStatus>(static_cast<store::MessageStatus>(*status)) : std::nullopt;
}

store::AttemptFilter attempt_filter(Call& call) {
  store::AttemptFilter filter;
  filter.status = read_status(call);
  if (auto code_class = call.query.integer("status_code_class", 0, 500)) {
    if (*code_class % 100 != 0) {
      call.query.invalid("status_code_class", "must be 0, 100, 200, 300, 400 or 500");
    } else {
      filter.status_code_class = static_cast<int>(*code_class);
    }
  }
  const store::MessageFilter messages = read_message_filter(call);
  filter.channel = messages.channel;
  filter.event_types = messages.event_types;
  filter.before = messages.before;
  filter.after = messages.after;
  return filter;
}

core::Result<Reply> attempts_page(Services& services, Call& call, const store::Application& app,
                                  const store::AttemptFilter& filter, const store::PageQuery& page, bool with_content) {
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto attempts = services.store.list_attempts(app.id, page, filter);
  if (!attempts) return fail(std::move(attempts).error());
  return Reply::raw(200, page_json(
                             *attempts,
                             [&](const store::Attempt& attempt) {
                               auto out = attempt_json(attempt);
                               if (!with_content) out["response"] = "";
                               return out;
                             },
                             [](const store::Attempt& a) { return a.id; }));
}

core::Result<Reply> attempts_by_endpoint(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto endpoint = resolve_endpoint(services, call, *app);
  if (!endpoint) return fail(std::move(endpoint).error());
  store::AttemptFilter filter = attempt_filter(call);
  filter.endpoint_id = endpoint->id;
  const auto page = call.query.page();
  const bool with_content = call.query.boolean("with_content", true);
  return attempts_page(services, call, *app, filter, page, with_content);
}

core::Result<Reply> attempts_by_message(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  store::AttemptFilter filter = attempt_filter(call);
  filter.msg_id = message->id;
  if (auto endpoint = call.query.get("endpoint_id")) {
    auto found = services.store.get_endpoint(app->org_id, app->id, *endpoint);
    if (!found) return fail(std::move(found).error());
    filter.endpoint_id = found->id;
  }
  const auto page = call.query.page();
  const bool with_content = call.query.boolean("with_content", true);
  return attempts_page(services, call, *app, filter, page, with_content);
}

core::Result<Reply> attempted_messages(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto endpoint = resolve_endpoint(services, call, *app);
  if (!endpoint) return fail(std::move(endpoint).error());
  const auto page = call.query.page();
  store::MessageFilter filter = read_message_filter(call);
  filter.status = read_status(call);
  const bool with_content = call.query.boolean("with_content", true);
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto items = services.store.list_endpoint_messages(app->id, endpoint->id, page, filter);
  if (!items) return fail(std::move(items).error());
  return Reply::raw(
      200, page_json(
               *items, [&](const store::EndpointMessage& item) { return endpoint_message_json(item, with_content); },
               [](const store::EndpointMessage& item) { return item.message.id; }));
}

core::Result<Reply> attempted_destinations(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  const auto page = call.query.page();
  if (auto checked = check_query(call); !checked) return fail(std::move(checked).error());
  auto items = services.store.list_message_destinations(app->id, message->id, page);
  if (!items) return fail(std::move(items).error());
  return Reply::raw(200, page_json(*items, message_destination_json,
                                   [](const store::MessageDestination& item) { return item.endpoint.id; }));
}

core::Result<Reply> get_attempt(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  auto attempt = services.store.get_attempt(app->id, message->id, call.param("attempt_id"));
  if (!attempt) return fail(std::move(attempt).error());
  return Reply::json(200, attempt_json(*attempt));
}

core::Result<Reply> expunge_attempt(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  if (auto expunged = services.store.expunge_attempt_content(app->id, message->id, call.param("attempt_id"));
      !expunged) {
    return fail(std::move(expunged).error());
  }
  return Reply::empty(204);
}

// One manual attempt of the message to the endpoint. A disabled endpoint gets nothing.
core::Result<Reply> resend(Services& services, Call& call) {
  auto app = resolve_app(services, call);
  if (!app) return fail(std::move(app).error());
  auto message = resolve_message(services, call, *app);
  if (!message) return fail(std::move(message).error());
  auto endpoint = resolve_endpoint(services, call, *app);
  if (!endpoint) return fail(std::move(endpoint).error());
  auto task = services.store.manual_task(app->id, message->id, endpoint->id);
  if (!task) return fail(std::move(task).error());
  if (services.dispatcher && !endpoint->disabled && !services.dispatcher->send_manual(std::move(*task))) {
    return core::error(core::ErrorCode::too_many_requests,
                       "the endpoint has as many resends waiting as it may hold; try again once they are sent");
  }
  return Reply::raw(202, "{}");  // the SDKs parse an EmptyResponse here
}

}  // namespace

void add_attempt_routes(ApiRouter& router) {
  router.add("GET", "/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}", {attempts_by_endpoint, Access::application});
  router.add("GET", "/api/v1/app/{app_id}/attempt/msg/{msg_id}", {attempts_by_message, Access::application});
  router.add("GET", "/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg", {attempted_messages, Access::application});
  router.add("GET", "/api/v1/app/{app_id}/msg/{msg_id}/endpoint", {attempted_destinations, Access::application});
  router.add("GET", "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}", {get_attempt, Access::application});
  router.add("DELETE", "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content",
             {expunge_attempt, Access::application});
  router.add("POST", "/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend", {resend, Access::application});
}

}  // namespace hookd::api

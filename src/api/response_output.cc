#include "api/response_output.h"

#include <boost/json.hpp>

#include "api/raw_json.h"
#include "core/time.h"

namespace hookd::api {

json::value nullable(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}
json::value nullable(const std::optional<int>& number) { return number ? json::value(*number) : json::value(nullptr); }

json::object map_json(const store::StringMap& map) {
  json::object object;
  for (const auto& [key, value] : map) object[key] = value;
  return object;
}

namespace {

json::value list_or_null(const std::optional<std::vector<std::string>>& list) {
  if (!list) return nullptr;
  json::array array;
  for (const auto& item : *list) array.emplace_back(item);
  return array;
}

json::object message_fields(const store::Message& message) {
  json::object out;
  out["id"] = message.id;
  out["eventType"] = message.event_type;
  out["eventId"] = nullable(message.event_id);
  out["channels"] = list_or_null(message.channels);
  out["timestamp"] = core::format_rfc3339(message.created_at);
  out["tags"] = nullptr;
  return out;
}

std::string_view payload_text(const store::Message& message, bool with_content) {
  return with_content && message.payload ? std::string_view(*message.payload) : std::string_view("{}");
}

void destination_fields(json::object& out, const store::Destination& destination) {
  out["status"] = static_cast<int>(destination.status);
  out["statusText"] = status_text(destination.status);
  out["nextAttempt"] = destination.next_attempt_at && destination.status == store::MessageStatus::pending
                           ? json::value(core::format_rfc3339(*destination.next_attempt_at))
                           : json::value(nullptr);
}

}  // namespace

std::string_view status_text(store::MessageStatus status) {
  switch (status) {
    case store::MessageStatus::success:
      return "success";
    case store::MessageStatus::pending:
      return "pending";
    case store::MessageStatus::fail:
      return "fail";
    case store::MessageStatus::sending:
      return "sending";
  }
  return "pending";
}

json::object application_json(const store::Application& app) {
  json::object out;
  out["id"] = app.id;
  out["uid"] = nullable(app.uid);
  out["name"] = app.name;
  out["throttleRate"] = nullable(app.throttle_rate);
  out["rateLimit"] = nullable(app.throttle_rate);
  out["metadata"] = map_json(app.metadata);
  out["createdAt"] = core::format_rfc3339(app.created_at);
  out["updatedAt"] = core::format_rfc3339(app.updated_at);
  return out;
}

json::object event_type_json(const store::EventType& type, bool with_schemas) {
  json::object out;
  out["name"] = type.name;
  out["description"] = type.description;
  out["archived"] = type.archived;
  out["deprecated"] = type.deprecated;
  json::value schemas = nullptr;
  if (with_schemas && type.schemas) {
    boost::system::error_code error;
    schemas = json::parse(*type.schemas, error);
    if (error) schemas = nullptr;
  }
  out["schemas"] = std::move(schemas);
  out["featureFlag"] = nullable(type.feature_flag);
  out["featureFlags"] = nullptr;
  out["groupName"] = nullptr;
  out["createdAt"] = core::format_rfc3339(type.created_at);
  out["updatedAt"] = core::format_rfc3339(type.updated_at);
  return out;
}

json::object endpoint_json(const store::Endpoint& endpoint) {
  json::object out;
  out["id"] = endpoint.id;
  out["uid"] = nullable(endpoint.uid);
  out["url"] = endpoint.url;
  out["description"] = endpoint.description;
  out["version"] = endpoint.version;
  out["throttleRate"] = nullable(endpoint.throttle_rate);
  out["rateLimit"] = nullable(endpoint.throttle_rate);
  out["disabled"] = endpoint.disabled;
  out["eventTypes"] = list_or_null(endpoint.event_types);
  out["filterTypes"] = list_or_null(endpoint.event_types);
  out["channels"] = list_or_null(endpoint.channels);
  out["metadata"] = map_json(endpoint.metadata);
  out["fifo"] = endpoint.fifo;
  if (endpoint.retry_schedule) {
    json::array delays;
    for (int delay : *endpoint.retry_schedule) delays.emplace_back(delay);
    out["retrySchedule"] = std::move(delays);
  } else {
    out["retrySchedule"] = nullptr;
  }
  out["createdAt"] = core::format_rfc3339(endpoint.created_at);
  out["updatedAt"] = core::format_rfc3339(endpoint.updated_at);
  return out;
}

json::object attempt_json(const store::Attempt& attempt) {
  json::object out;
  out["id"] = attempt.id;
  out["msgId"] = attempt.msg_id;
  out["endpointId"] = attempt.endpoint_id;
  out["url"] = attempt.url;
  out["response"] = attempt.response;
  out["responseStatusCode"] = attempt.response_status_code;
  out["responseDurationMs"] = attempt.response_duration_ms;
  out["status"] = static_cast<int>(attempt.status);
  out["statusText"] = status_text(attempt.status);
  out["triggerType"] = static_cast<int>(attempt.trigger);
  out["timestamp"] = core::format_rfc3339(attempt.created_at);
  return out;
}

json::object stats_json(const store::EndpointStats& stats) {
  return {{"success", stats.success},
          {"pending", stats.pending},
          {"sending", stats.sending},
          {"fail", stats.fail},
          {"canceled", stats.canceled}};
}

std::string message_json(const store::Message& message, bool with_content) {
  return with_raw_member(json::serialize(message_fields(message)), "payload", payload_text(message, with_content));
}

std::string endpoint_message_json(const store::EndpointMessage& item, bool with_content) {
  json::object out = message_fields(item.message);
  destination_fields(out, item.destination);
  return with_raw_member(json::serialize(out), "payload", payload_text(item.message, with_content));
}

json::object message_destination_json(const store::MessageDestination& item) {
  json::object out = endpoint_json(item.endpoint);
  destination_fields(out, item.destination);
  return out;
}

std::string list_json(const std::vector<std::string>& items, const std::string& first_id, const std::string& last_id,
                      bool done) {
  std::string out = "{\"data\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += items[i];
  }
  out += "],\"iterator\":";
  out += items.empty() ? "null" : json::serialize(json::value(last_id));
  out += ",\"prevIterator\":";
  out += items.empty() ? "null" : json::serialize(json::value("-" + first_id));
  out += ",\"done\":";
  out += done ? "true" : "false";
  out += '}';
  return out;
}

}  // namespace hookd::api

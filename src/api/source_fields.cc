#include "api/source_fields.h"

#include <boost/json.hpp>

#include "api/jwt.h"
#include "api/response_output.h"
#include "core/encoding.h"
#include "ingress/request_reading.h"
#include "ingress/source_gate.h"

namespace hookd::api {
namespace {

constexpr std::size_t kMaxSecrets = 10;
constexpr std::size_t kMaxSecretLength = 1024;
constexpr std::int64_t kMaxWindowSeconds = 30 * 24 * 3600;

}  // namespace

core::Result<SourceFields> read_source_fields(std::string_view body, bool required) {
  auto object = parse_body_object(body);
  if (!object) return fail(std::move(object).error());
  FieldReader reader(*object);
  SourceFields fields;
  fields.name = reader.string("name", required);
  if (fields.name && !is_name(*fields.name, 128)) {
    reader.invalid("name", "must be 1 to 128 characters of a-z, A-Z, 0-9, '-', '_' and '.'");
  }
  fields.scheme = reader.string("scheme", required);
  if (fields.scheme && !ingress::is_source_scheme(*fields.scheme)) {
    reader.invalid("scheme",
                   "must be one of standard, svix, github, stripe, shopify, slack, gitlab, twilio, hmac, basic, none");
  }
  if (const auto* secrets = reader.value("secrets")) {
    std::vector<std::string> list;
    if (!secrets->is_array() || secrets->as_array().size() > kMaxSecrets) {
      reader.invalid("secrets", "must be a list of at most 10 secrets");
    } else {
      for (const auto& item : secrets->as_array()) {
        if (!item.is_string() || item.as_string().empty() || item.as_string().size() > kMaxSecretLength) {
          reader.invalid("secrets", "each secret must be a string of 1 to 1024 characters");
          break;
        }
        list.emplace_back(item.as_string());
      }
    }
    fields.secrets = std::move(list);
  }
  fields.tolerance = reader.nullable_integer("tolerance", 0, 7 * 24 * 3600);
  fields.hmac = reader.string_map("hmac");
  fields.app = reader.string("app", required);
  fields.event_type = reader.nullable_name("eventType");
  if (const auto* dedupe = reader.value("dedupe")) {
    if (!dedupe->is_object()) {
      reader.invalid("dedupe", "must be an object with header, field and window");
    } else {
      FieldReader inner(dedupe->as_object());
      fields.dedupe_header = inner.nullable_string("header");
      fields.dedupe_field = inner.nullable_string("field");
      fields.dedupe_window = inner.integer("window", 0, kMaxWindowSeconds);
      if (auto checked = inner.status(); !checked) {
        for (const auto& error : checked.error().fields) reader.invalid("dedupe", error.message);
      }
    }
  }
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  return fields;
}

void apply_source_fields(store::Source& source, const SourceFields& fields, bool replace) {
  if (fields.name) source.name = *fields.name;
  if (fields.scheme) source.scheme = *fields.scheme;
  if (fields.secrets || replace) source.secrets = fields.secrets.value_or(std::vector<std::string>{});
  if (fields.tolerance || replace) {
    const auto tolerance = fields.tolerance.value_or(std::nullopt);
    source.tolerance_seconds = tolerance ? std::optional<int>(static_cast<int>(*tolerance)) : std::nullopt;
  }
  if (fields.hmac || replace) source.hmac = fields.hmac.value_or(store::StringMap{});
  if (fields.event_type || replace) source.event_type = fields.event_type.value_or(std::nullopt);
  if (fields.dedupe_header || replace) source.dedupe_header = fields.dedupe_header.value_or(std::nullopt);
  if (fields.dedupe_field || replace) source.dedupe_field = fields.dedupe_field.value_or(std::nullopt);
  if (fields.dedupe_window || replace)
    source.dedupe_window_seconds = static_cast<int>(fields.dedupe_window.value_or(24 * 3600));
}

json::object source_json(const store::Source& source, const std::string& public_url) {
  json::object out;
  out["id"] = source.id;
  out["name"] = source.name;
  out["scheme"] = source.scheme;
  // The default organization's sources are found by name (as the configuration file names them); any
  // other organization's by id, which no one else can guess.
  out["url"] = public_url + "/in/" + (source.org_id == kDefaultOrgId ? source.name : source.id);
  out["app"] = source.app_id;
  out["eventType"] = nullable(source.event_type);
  out["tolerance"] = nullable(source.tolerance_seconds);
  out["hmac"] = map_json(source.hmac);
  out["dedupe"] = {{"header", nullable(source.dedupe_header)},
                   {"field", nullable(source.dedupe_field)},
                   {"window", source.dedupe_window_seconds}};
  out["secretCount"] = source.secrets.size();  // the secrets themselves: GET …/secret
  out["createdAt"] = core::format_rfc3339(source.created_at);
  out["updatedAt"] = core::format_rfc3339(source.updated_at);
  return out;
}

json::object inbound_json(const store::InboundRequest& request) {
  json::object out;
  out["id"] = request.id;
  out["sourceId"] = request.source_id;
  out["receivedAt"] = core::format_rfc3339(request.received_at);
  json::array headers;
  for (const auto& [name, value] : request.headers)
    headers.push_back(json::array{json::string(name), json::string(value)});
  out["headers"] = std::move(headers);
  // Text as text; other bytes in base64.
  if (core::is_utf8(request.body)) {
    out["body"] = request.body;
  } else {
    out["bodyBase64"] = core::base64_encode(request.body);
  }
  out["dedupeKey"] = nullable(request.dedupe_key);
  out["msgId"] = request.msg_id;
  return out;
}

}  // namespace hookd::api

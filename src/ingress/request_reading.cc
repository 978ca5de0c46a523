#include "ingress/request_reading.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>

#include "core/encoding.h"
#include "sign/crypto.h"

namespace hookd::ingress {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxKeyLength = 256;

std::optional<json::object> parse_object(std::string_view body) {
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code error;
  json::value value = json::parse(body, error, {}, options);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

// The value at a dot path ("data.object.id"), as text when it is a string or a number.
std::optional<std::string> field(const std::optional<json::object>& body, std::string_view path) {
  if (!body) return std::nullopt;
  const json::object* object = &*body;
  while (true) {
    const auto dot = path.find('.');
    const json::value* value = object->if_contains(path.substr(0, dot));
    if (!value) return std::nullopt;
    if (dot == std::string_view::npos) {
      if (value->is_string()) return std::string(value->as_string());
      if (value->is_int64() || value->is_uint64()) return json::serialize(*value);
      return std::nullopt;
    }
    if (!value->is_object()) return std::nullopt;
    object = &value->as_object();
    path.remove_prefix(dot + 1);
  }
}

std::optional<std::string> header(const sign::HeaderSource& headers, std::string_view name) {
  auto value = headers.find(name);
  if (!value || value->empty()) return std::nullopt;
  return std::string(*value);
}

std::optional<std::string> provider_delivery_id(const std::string& scheme, const sign::HeaderSource& headers,
                                                const std::optional<json::object>& body) {
  if (scheme == "github") return header(headers, "X-GitHub-Delivery");
  if (scheme == "standard" || scheme == "svix") {
    if (auto id = header(headers, "webhook-id")) return id;
    return header(headers, "svix-id");
  }
  if (scheme == "stripe") return field(body, "id");
  if (scheme == "shopify") {
    if (auto id = header(headers, "X-Shopify-Webhook-Id")) return id;
    return header(headers, "X-Shopify-Event-Id");
  }
  if (scheme == "gitlab") return header(headers, "X-Gitlab-Event-UUID");
  if (scheme == "slack") return field(body, "event_id");
  if (scheme == "twilio") return header(headers, "I-Twilio-Idempotency-Token");
  return std::nullopt;
}

std::optional<std::string> provider_event_type(const std::string& scheme, const sign::HeaderSource& headers,
                                               const std::optional<json::object>& body) {
  if (scheme == "github") return header(headers, "X-GitHub-Event");
  if (scheme == "shopify") return header(headers, "X-Shopify-Topic");  // orders/create becomes orders.create
  if (scheme == "gitlab") {
    if (auto kind = field(body, "object_kind")) return kind;
    return header(headers, "X-Gitlab-Event");
  }
  if (scheme == "slack") {
    if (auto type = field(body, "event.type")) return type;
  }
  return field(body, "type");
}

}  // namespace

std::optional<std::string> event_type_name(std::string_view text) {
  std::string name;
  for (char c : text.substr(0, 256)) {
    const bool allowed =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    name += allowed ? c : '.';
  }
  if (name.find_first_not_of('.') == std::string::npos) return std::nullopt;
  return name;
}

RequestReading read_request(const store::Source& source, const sign::HeaderSource& headers, std::string_view body) {
  const auto object = parse_object(body);
  RequestReading reading;

  if (source.dedupe_header) {
    reading.dedupe_key = header(headers, *source.dedupe_header);
  } else if (source.dedupe_field) {
    reading.dedupe_key = field(object, *source.dedupe_field);
  } else {
    reading.dedupe_key = provider_delivery_id(source.scheme, headers, object);
  }
  // A key too long to keep, or that is not text (a header's raw bytes, a "\u0000"), is kept as its digest.
  if (reading.dedupe_key && (reading.dedupe_key->size() > kMaxKeyLength || !core::is_text(*reading.dedupe_key))) {
    reading.dedupe_key = "sha256:" + core::hex_encode(sign::crypto::sha256(*reading.dedupe_key).view());
  }

  static constexpr std::string_view kUntimed[] = {"github", "shopify", "gitlab", "twilio", "hmac"};
  if (std::find(std::begin(kUntimed), std::end(kUntimed), source.scheme) != std::end(kUntimed)) {
    reading.replay_key = "body-sha256:" + core::hex_encode(sign::crypto::sha256(body).view());
  }

  std::optional<std::string> type = source.event_type;
  if (!type) {
    if (auto provided = provider_event_type(source.scheme, headers, object)) type = event_type_name(*provided);
  }
  reading.event_type = type.value_or("inbound");

  if (auto hops = header(headers, "hookd-hops")) {
    int count = 0;
    const auto [end, error] = std::from_chars(hops->data(), hops->data() + hops->size(), count);
    if (error == std::errc() && end == hops->data() + hops->size() && count >= 0) reading.hops = std::min(count, 1000);
  }

  if (source.scheme == "slack" && field(object, "type") == "url_verification") {
    reading.slack_challenge = field(object, "challenge");
  }

  if (object) {
    reading.payload = std::string(body);
  } else {
    json::object wrapper;
    wrapper["contentType"] = header(headers, "Content-Type").value_or("");
    if (core::is_utf8(body)) {
      wrapper["body"] = body;
    } else {
      wrapper["bodyBase64"] = core::base64_encode(body);
    }
    reading.payload = json::serialize(wrapper);
  }
  return reading;
}

}  // namespace hookd::ingress

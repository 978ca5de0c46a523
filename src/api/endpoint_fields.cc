#include "api/endpoint_fields.h"

#include <algorithm>
#include <array>

#include "hookd/sign/headers.h"
#include "hookd/sign/secret.h"
#include "net/url.h"

namespace hookd::api {
namespace {

constexpr std::size_t kMaxUrlLength = 65536;
constexpr std::size_t kMaxHeaders = 50;
constexpr std::size_t kMaxHeaderValue = 4096;
// An endpoint's own retry schedule may not turn one message into a burst at someone else's server: at
// most 20 retries, none sooner than 5 s after the try before (the server's own schedule starts at 5 s).
constexpr std::size_t kMaxRetries = 20;
constexpr std::int64_t kMinRetryDelaySeconds = 5;
constexpr std::int64_t kMaxRetryDelaySeconds = 7 * 24 * 3600;
constexpr std::array<std::string_view, 12> kReservedHeaders = {
    "user-agent", "content-type", "content-length",     "host",
    "connection", "keep-alive",   "proxy-authenticate", "proxy-authorization",
    "te",         "trailer",      "transfer-encoding",  "upgrade"};
constexpr std::array<std::string_view, 3> kSensitiveHeaders = {"authorization", "x-api-key", "cookie"};

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && sign::iequals(text.substr(0, prefix.size()), prefix);
}

bool is_token(std::string_view name) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

}  // namespace

core::Result<EndpointFields> read_endpoint_fields(std::string_view body, bool url_required, bool https_only) {
  auto object = parse_body_object(body);
  if (!object) return fail(std::move(object).error());
  FieldReader reader(*object);
  EndpointFields fields;
  fields.url = reader.string("url", url_required);
  if (fields.url) {
    std::string error;
    if (fields.url->size() > kMaxUrlLength) {
      reader.invalid("url", "must be at most 65536 characters");
    } else if (auto url = net::parse_http_url(*fields.url, error); !url) {
      reader.invalid("url", "must be an absolute http or https URL: " + error);
    } else if (https_only && !url->tls()) {
      reader.invalid("url", "must be an https URL: this server delivers only over https (https_only)");
    }
  }
  fields.description = reader.string("description");
  fields.disabled = reader.boolean("disabled");
  fields.fifo = reader.boolean("fifo");
  fields.uid = reader.nullable_name("uid");
  fields.version = reader.integer("version", 1, 65535);
  fields.throttle_rate = reader.has("throttleRate") ? reader.nullable_integer("throttleRate", 1, 65535)
                                                    : reader.nullable_integer("rateLimit", 1, 65535);
  fields.event_types = reader.has("eventTypes") ? reader.nullable_names("eventTypes", 1000, 256)
                                                : reader.nullable_names("filterTypes", 1000, 256);
  fields.channels = reader.nullable_names("channels", 10, 128);
  fields.metadata = reader.string_map("metadata");
  if (const auto* schedule = reader.value("retrySchedule")) {
    if (schedule->is_null()) {
      fields.retry_schedule = std::optional<std::vector<int>>();
    } else if (!schedule->is_array() || schedule->as_array().size() > kMaxRetries) {
      reader.invalid("retrySchedule", "must be null or a list of at most 20 delays in seconds");
    } else {
      std::vector<int> delays;
      for (const auto& item : schedule->as_array()) {
        if (!item.is_int64() || item.as_int64() < kMinRetryDelaySeconds || item.as_int64() > kMaxRetryDelaySeconds) {
          reader.invalid("retrySchedule", "each delay must be a whole number of seconds from 5 to 604800 (7 days)");
          break;
        }
        delays.push_back(static_cast<int>(item.as_int64()));
      }
      fields.retry_schedule = std::optional<std::vector<int>>(std::move(delays));
    }
  }
  if (auto secret = reader.string("secret")) {
    auto checked = check_endpoint_secret(*secret, "secret");
    if (checked) {
      fields.secret = std::move(*checked);
    } else {
      reader.invalid("secret", checked.error().detail);
    }
  }
  fields.headers = reader.string_map("headers");
  if (fields.headers) {
    if (auto checked = check_custom_headers(*fields.headers); !checked)
      reader.invalid("headers", checked.error().detail);
  }
  if (auto checked = reader.status(); !checked) return fail(std::move(checked).error());
  return fields;
}

void apply_endpoint_fields(store::Endpoint& endpoint, const EndpointFields& fields, bool replace) {
  if (fields.url) endpoint.url = *fields.url;
  if (fields.description || replace) endpoint.description = fields.description.value_or("");
  if (fields.disabled || replace) {
    const bool disabled = fields.disabled.value_or(false);
    // Enabled again: its failures so far no longer count towards disabling it.
    if (endpoint.disabled && !disabled) endpoint.failing_since.reset();
    endpoint.disabled = disabled;
  }
  if (fields.fifo || replace) endpoint.fifo = fields.fifo.value_or(false);
  if (fields.uid || replace) endpoint.uid = fields.uid.value_or(std::nullopt);
  if (fields.version || replace) endpoint.version = static_cast<int>(fields.version.value_or(1));
  if (fields.throttle_rate || replace) {
    const auto rate = fields.throttle_rate.value_or(std::nullopt);
    endpoint.throttle_rate = rate ? std::optional<int>(static_cast<int>(*rate)) : std::nullopt;
  }
  if (fields.event_types || replace) endpoint.event_types = fields.event_types.value_or(std::nullopt);
  if (fields.channels || replace) endpoint.channels = fields.channels.value_or(std::nullopt);
  if (fields.metadata || replace) endpoint.metadata = fields.metadata.value_or(store::StringMap{});
  if (fields.retry_schedule || replace) endpoint.retry_schedule = fields.retry_schedule.value_or(std::nullopt);
}

core::Status check_custom_headers(const store::StringMap& headers) {
  if (headers.size() > kMaxHeaders) return core::invalid({"body", "headers"}, "at most 50 headers");
  for (const auto& [name, value] : headers) {
    if (!is_token(name)) return core::invalid({"body", "headers"}, "'" + name + "' is not a valid header name");
    const bool reserved = std::any_of(kReservedHeaders.begin(), kReservedHeaders.end(),
                                      [&](std::string_view r) { return sign::iequals(name, r); });
    if (reserved || starts_with_ignoring_case(name, "svix-") || starts_with_ignoring_case(name, "webhook-") ||
        starts_with_ignoring_case(name, "hookd-")) {
      return core::invalid({"body", "headers"}, "'" + name + "' is reserved and cannot be set");
    }
    if (value.size() > kMaxHeaderValue || value.find_first_of("\r\n") != std::string::npos ||
        value.find('\0') != std::string::npos) {
      return core::invalid({"body", "headers"}, "the value of '" + name + "' must be one line of at most 4096 bytes");
    }
  }
  return {};
}

bool is_sensitive_header(std::string_view name) {
  return std::any_of(kSensitiveHeaders.begin(), kSensitiveHeaders.end(),
                     [&](std::string_view s) { return sign::iequals(name, s); });
}

core::Result<std::string> check_endpoint_secret(const std::string& secret, std::string_view field) {
  std::string_view body = secret;
  if (body.starts_with("whsec_")) body.remove_prefix(6);
  const bool charset = std::all_of(body.begin(), body.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
  });
  if (!charset || body.size() < 32 || body.size() > 100) {
    return core::invalid({"body", std::string(field)}, "must be whsec_ followed by 32 to 100 base64 characters");
  }
  auto parsed = sign::Secret::parse(secret);
  if (!parsed || parsed->type() != sign::KeyType::hmac) {
    return core::invalid({"body", std::string(field)}, "is not a usable whsec_ secret");
  }
  return parsed->to_string();
}

}  // namespace hookd::api

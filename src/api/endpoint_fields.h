// Reading and checking endpoint fields (EndpointIn, EndpointUpdate, EndpointPatch) and custom headers.
#pragma once

#include "api/handler.h"

namespace hookd::api {

struct EndpointFields {
  std::optional<std::string> url;
  std::optional<std::string> description;
  std::optional<bool> disabled;
  Nullable<std::string> uid;
  std::optional<std::int64_t> version;
  Nullable<std::int64_t> throttle_rate;
  Nullable<std::vector<std::string>> event_types;
  Nullable<std::vector<std::string>> channels;
  std::optional<store::StringMap> metadata;
  Nullable<std::vector<int>> retry_schedule;  // hookd's extension: seconds before each retry
  std::optional<bool> fifo;                   // hookd's extension: one message at a time, in order
  std::optional<std::string> secret;          // create only
  std::optional<store::StringMap> headers;    // create only
};

// `url_required` for POST and PUT. Accepts the legacy names filterTypes and rateLimit.
core::Result<EndpointFields> read_endpoint_fields(std::string_view body, bool url_required, bool https_only);

// PUT and POST replace every field they cover; PATCH only those given. Keys and headers are not covered.
void apply_endpoint_fields(store::Endpoint& endpoint, const EndpointFields& fields, bool replace);

// A 422 when a custom header cannot be sent: a reserved name (user-agent, content-type, hop-by-hop
// headers, svix-* and webhook-*), a name that is not an HTTP token, or a value with a line break.
core::Status check_custom_headers(const store::StringMap& headers);

// Headers whose values are never shown back (GET …/headers lists them as "sensitive").
bool is_sensitive_header(std::string_view name);

// A supplied endpoint secret: "whsec_" optional, 32 to 100 base64 characters, 24 to 75 bytes.
core::Result<std::string> check_endpoint_secret(const std::string& secret, std::string_view field);

}  // namespace hookd::api

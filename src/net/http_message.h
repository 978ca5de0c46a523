// HTTP messages as the rest of hookd sees them: plain values, with no Beast types, so that handlers and
// the delivery engine compile without the heavy networking headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hookd/sign/headers.h"

namespace hookd::net {

using Headers = sign::Headers;  // ordered (name, value) pairs; find() is case-insensitive

struct HttpRequest {
  std::string method;  // upper case, as received: "GET", "POST", …
  std::string target;  // origin-form: "/api/v1/app?limit=10"
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP address, for logs and IP rules
  std::uint16_t remote_port = 0;

  // The target without its query string.
  std::string_view path() const;
  // The query string after '?', or empty.
  std::string_view query() const;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;

  // A response with a JSON body and its content type.
  static HttpResponse json(int status, std::string body);
  // A response with no body (204, or a HEAD answer).
  static HttpResponse empty(int status);
};

}  // namespace hookd::net

// Absolute http(s) URLs: what endpoint URLs must be, split the way the HTTP client needs them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookd::net {

struct HttpUrl {
  std::string scheme;       // "http" or "https"
  std::string host;         // a DNS name, or an IP address without brackets
  bool host_is_ip = false;  // an IPv4 or IPv6 literal
  std::uint16_t port = 0;   // explicit, or the scheme's default
  std::string target;       // path and query, at least "/"
  std::string host_header;  // the Host header: host, with brackets for IPv6, and ":port" when not the default

  bool tls() const { return scheme == "https"; }
  // "https://host:port": connections to the same origin are pooled together.
  std::string origin() const;
};

// Parses an absolute http or https URL with a host. The error says what is wrong.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error);

}  // namespace hookd::net

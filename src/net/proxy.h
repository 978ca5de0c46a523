// An outbound HTTP proxy for deliveries. hookd tunnels through it with CONNECT, to the IP address it
// has resolved and checked itself (the SSRF guard), never to a name the proxy would resolve again; TLS
// then runs end to end through the tunnel, with SNI and verification for the endpoint's host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookd::net {

struct ProxySettings {
  std::string host;  // a name or an IP address (without brackets)
  std::uint16_t port = 0;
  std::string authorization;  // the Proxy-Authorization value ("Basic …") from the URL's user:password
  // Hosts reached directly: an entry matches the host itself and its subdomains ("example.com" and
  // ".example.com" both match "api.example.com"); IP addresses match exactly; "*" matches every host.
  std::vector<std::string> no_proxy;

  // Parses "http://[user:password@]host[:port]" (the port defaults to 80). The error says what is wrong.
  static std::optional<ProxySettings> parse(std::string_view url, std::string& error);
  // Whether a request to `host` goes directly rather than through the proxy.
  bool bypasses(std::string_view host) const;
  // "host:port", with brackets for an IPv6 address.
  std::string address() const;
};

}  // namespace hookd::net

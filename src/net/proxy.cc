#include "net/proxy.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

#include "core/encoding.h"

namespace hookd::net {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<ProxySettings> ProxySettings::parse(std::string_view text, std::string& error) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    error = "not an absolute URL such as http://proxy.internal:3128";
    return std::nullopt;
  }
  const boost::urls::url_view& url = *parsed;
  if (lowercase(url.scheme()) != "http") {
    error = "the proxy's URL must start with http:// (the tunnel itself carries TLS)";
    return std::nullopt;
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }
  if (!url.encoded_path().empty() && url.encoded_path() != "/") {
    error = "a proxy URL has no path";
    return std::nullopt;
  }
  ProxySettings out;
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      out.host = std::string(url.host_address());
      break;
    case boost::urls::host_type::name:
      out.host = lowercase(url.host());
      break;
    default:
      error = "the host is not a name or an IP address";
      return std::nullopt;
  }
  out.port = 80;
  if (url.has_port()) {
    if (url.port().empty() || url.port().size() > 5 || url.port_number() == 0) {
      error = "the port must be 1 to 65535";
      return std::nullopt;
    }
    out.port = url.port_number();
  }
  if (url.has_userinfo()) {
    out.authorization = "Basic " + core::base64_encode(std::string(url.user()) + ":" + std::string(url.password()));
  }
  return out;
}

bool ProxySettings::bypasses(std::string_view target_host) const {
  const std::string name = lowercase(target_host);
  return std::any_of(no_proxy.begin(), no_proxy.end(), [&](const std::string& entry) {
    std::string_view rule = entry;
    if (rule == "*") return true;
    if (!rule.empty() && rule.front() == '.') rule.remove_prefix(1);
    if (rule.empty()) return false;
    const std::string wanted = lowercase(rule);
    return name == wanted ||
           (name.size() > wanted.size() && name.ends_with(wanted) && name[name.size() - wanted.size() - 1] == '.');
  });
}

std::string ProxySettings::address() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace hookd::net

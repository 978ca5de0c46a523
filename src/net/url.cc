#include "net/url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace hookd::net {

std::string HttpUrl::origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    error = "not an absolute URL";
    return std::nullopt;
  }
  const boost::urls::url_view& url = *parsed;
  HttpUrl out;
  out.scheme = std::string(url.scheme());
  for (char& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https") {
    error = "the scheme must be http or https";
    return std::nullopt;
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }
  if (url.has_userinfo()) {
    error = "credentials in the URL are not supported; use endpoint headers";
    return std::nullopt;
  }
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      out.host_is_ip = true;
      out.host = std::string(url.host_address());
      break;
    case boost::urls::host_type::name:
      out.host = std::string(url.host());
      break;
    default:
      error = "the host is not a name or an IP address";
      return std::nullopt;
  }
  const std::uint16_t default_port = out.tls() ? 443 : 80;
  if (url.has_port()) {
    const std::string_view port = url.port();
    if (port.empty() || port.size() > 5 || std::stoul(std::string(port)) > 65535 || url.port_number() == 0) {
      error = "the port must be 1 to 65535";
      return std::nullopt;
    }
    out.port = url.port_number();
  } else {
    out.port = default_port;
  }
  out.target = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
  if (url.has_query()) out.target += "?" + std::string(url.encoded_query());
  out.host_header = std::string(url.encoded_host());
  if (out.port != default_port) out.host_header += ":" + std::to_string(out.port);
  return out;
}

}  // namespace hookd::net

// Fuzzes reading a request as hookd's server reads one: Beast's parser with the server's limits, fed in
// two pieces (a request arrives in any number of reads), then the request as the handlers see it (path,
// query) and the API's router, which splits and percent-decodes the path. Any bytes either fail to parse
// or make a request within the limits.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/router.h"
#include "net/http_message.h"

namespace http = boost::beast::http;

namespace {

const hookd::api::Router<int>& router() {
  static const auto routes = [] {
    hookd::api::Router<int> made;
    made.add("GET", "/api/v1/app/{app_id}", 1);
    made.add("POST", "/api/v1/app/{app_id}/msg", 2);
    made.add("POST", "/in/{source}", 3);
    made.add("GET", "/api/v1/app/{app_id}/endpoint/{endpoint_id}/stats", 4);
    return made;
  }();
  return routes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kMaxBody = 4096;
  constexpr std::uint32_t kMaxHeader = 2048;
  if (size == 0) return 0;
  const std::size_t split = data[0] % size;  // where the first read ends
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  http::request_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  parser.header_limit(kMaxHeader);
  boost::beast::error_code error;
  std::size_t used = 0;  // bytes the parser took so far
  // Offers the parser what has arrived; false when it refused the request.
  auto feed = [&](std::string_view arrived) {
    while (used < arrived.size() && !parser.is_done()) {
      const std::size_t taken = parser.put(boost::asio::buffer(arrived.data() + used, arrived.size() - used), error);
      if (error == http::error::need_more) {
        error = {};
        return true;
      }
      if (error) return false;  // answered 400, 413 or 431
      if (taken == 0) return true;
      used += taken;
    }
    return true;
  };
  if (!feed(bytes.substr(0, split)) || !feed(bytes)) return 0;
  if (!parser.is_done()) return 0;
  auto request = parser.release();
  if (request.body().size() > kMaxBody) std::abort();

  hookd::net::HttpRequest seen;
  seen.method = std::string(request.method_string());
  seen.target = std::string(request.target());
  for (const auto& field : request) seen.headers.add(std::string(field.name_string()), std::string(field.value()));
  seen.body = std::move(request.body());
  const std::string_view path = seen.path();
  const std::string_view query = seen.query();
  if (path.size() + query.size() > seen.target.size()) std::abort();
  (void)router().match(seen.method, path);
  return 0;
}

// The outbound HTTP/1.1 client of the delivery engine: keep-alive connections pooled per origin, TLS
// through OpenSSL (SNI, certificate and hostname verification on), a total timeout, a cap on the
// response bytes kept, and redirects never followed (a 3xx is just an answer).
//
// Every connection is made by one function that receives the resolved addresses and asks the
// AddressFilter about each before connecting to exactly the addresses it allowed: directly, or through
// a CONNECT tunnel to that address when a proxy is configured.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/dns_resolver.h"
#include "net/event_loop.h"
#include "net/http_message.h"
#include "net/proxy.h"

namespace hookd::net {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;                           // absolute http(s) URL
  Headers headers;                           // sent as given; Host, Content-Length and Connection are added
  std::shared_ptr<const std::string> body;   // shared: one payload goes to many endpoints
  std::chrono::milliseconds timeout{15000};  // for the whole exchange: resolve, connect, write, read
  std::size_t max_response_bytes = 20000;    // more is read no further and dropped
};

enum class SendFailure {
  none,      // an HTTP answer arrived (any status)
  bad_url,   // not an http(s) URL
  resolve,   // the name did not resolve
  refused,   // the AddressFilter refused every address
  connect,   // no connection (refused, unreachable)
  tls,       // handshake or certificate verification failed
  timeout,   // the exchange took longer than the timeout
  protocol,  // the peer spoke something other than HTTP/1.1, or closed early
};

struct OutboundResponse {
  int status = 0;  // 0 when there was no HTTP answer
  std::string body;
  bool truncated = false;
  std::optional<std::string> retry_after;
  SendFailure failure = SendFailure::none;
  std::string error;  // for failures: what happened, in words
  std::chrono::microseconds duration{0};
};

// Decides whether the client may connect to a resolved address. Returns an empty string to allow, or
// the reason for refusing. Called on the event loop's thread.
using AddressFilter = std::function<std::string(const std::string& ip_address)>;

struct ClientOptions {
  std::string user_agent = "hookd";
  std::size_t max_idle_per_origin = 64;
  std::chrono::seconds idle_timeout{30};  // idle pooled connections older than this are not reused
  std::string extra_ca_file;              // a PEM file trusted besides the system store (tests)
  AddressFilter filter;                   // none: every address is allowed
  bool https_only = false;                // refuse http:// URLs without connecting
  std::optional<ProxySettings> proxy;     // tunnel through this HTTP proxy (CONNECT), unless bypassed
  DnsOptions dns;                         // how names are looked up (servers must pass DnsResolver::check_servers)
};

class HttpClient {
 public:
  HttpClient(EventLoop& loop, ClientOptions options);
  ~HttpClient();

  // Sends `request` and calls `done` on the loop's thread with the outcome. Thread-safe.
  void send(OutboundRequest request, std::function<void(OutboundResponse)> done);

  struct State;

 private:
  std::shared_ptr<State> state_;  // shared with the exchanges in flight
};

std::string_view failure_name(SendFailure failure);

}  // namespace hookd::net

// An HTTP/1.1 server with keep-alive, on its own threads, over plain TCP or TLS. Requests are read whole (bounded),
// handed to a Handler, and answered when the handler calls its Respond callback, from any thread. The server answers by
// itself, with a JSON error body, to requests it cannot read: 413 for a body over the cap, 431 for oversized headers,
// 400 for a malformed request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/http_message.h"

namespace hookd::net {

// Serving HTTPS: a PEM certificate chain and its private key, read once when the server listens.
struct ServerTls {
  std::string certificate_file;
  std::string private_key_file;
  std::string min_version = "1.2";  // "1.0", "1.1", "1.2" or "1.3"
  std::string cipher_list;          // OpenSSL's names, for TLS 1.2 and older; empty: OpenSSL's defaults
};

struct ServerOptions {
  std::string address = "127.0.0.1";        // an IPv4 or IPv6 literal; "0.0.0.0" / "::" for all
  std::uint16_t port = 0;                   // 0 picks a free port (see HttpServer::port)
  int threads = 1;                          // I/O threads
  std::size_t max_body_bytes = 1 << 20;     // larger bodies are answered 413
  std::size_t max_header_bytes = 16 << 10;  // larger header blocks are answered 431
  std::chrono::seconds idle_timeout{60};    // a keep-alive connection idle this long is closed
  std::chrono::seconds read_timeout{30};    // a request must arrive whole within this
  std::string server_header = "hookd";      // empty: no Server header
  std::optional<ServerTls> tls;             // none: plain HTTP
};

using Respond = std::function<void(HttpResponse)>;
// Called on an I/O thread for each request. Must call `respond` exactly once, now or later, from any
// thread; it must not block the I/O thread for long (hand slow work to another thread).
using Handler = std::function<void(HttpRequest&&, Respond)>;

class HttpServer {
 public:
  // Binds and listens at once (so port() is known), but accepts only after start(). Fails by
  // returning null with `error` set when the address cannot be bound, or the TLS files cannot be used.
  static std::unique_ptr<HttpServer> listen(ServerOptions options, Handler handler, std::string& error);
  ~HttpServer();  // stop()

  std::uint16_t port() const;
  // Connections accepted so far (tests use it to show that nothing connected).
  std::uint64_t accepted_connections() const;
  void start();
  // Stops accepting, lets in-flight requests finish (for at most `grace`), closes idle connections and
  // joins the I/O threads. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  struct State;

 private:
  explicit HttpServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace hookd::net

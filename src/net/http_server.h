// An HTTP/1.1 server with keep-alive, on its own threads, over plain TCP or TLS. Requests are read whole (bounded
// in size and time, ServerLimits), handed to a Handler, and answered when the handler calls its Respond callback,
// from any thread. The server answers by itself, with a JSON error body, to requests it cannot read: 413 for a body
// over the cap, 431 for oversized headers, 400 for a malformed request, 503 to a connection over the cap. A client
// too slow for the deadlines is disconnected.
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

// What one client may hold of the server, and for how long. Every request is bounded in size and in
// time, so that slow or idle clients cannot hold connections, threads or memory (docs/security.md).
struct ServerLimits {
  std::size_t max_body_bytes = 1 << 20;     // larger bodies are answered 413
  std::size_t max_header_bytes = 16 << 10;  // larger header blocks are answered 431
  // Open connections; past it, a new connection is answered 503 and closed at once, and those open go on.
  std::size_t max_connections = 10000;
  // A request's head (request line and headers) must arrive whole within this of its first byte; a new
  // connection's first byte too must arrive within it.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  // A keep-alive connection that sends no new request for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // A body must arrive within body_timeout, plus one second for every body_min_rate bytes received (the
  // rule of Apache's mod_reqtimeout): a client slower than that on average is cut off.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(10)};
  std::size_t body_min_rate = 1024;  // bytes per second
  // The client must take the whole answer (and finish a TLS handshake) within this.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 literal; "0.0.0.0" / "::" for all
  std::uint16_t port = 0;             // 0 picks a free port (see HttpServer::port)
  int threads = 1;                    // I/O threads
  ServerLimits limits;
  std::string server_header = "hookd";  // empty: no Server header
  std::optional<ServerTls> tls;         // none: plain HTTP
  // Where the server says what an operator should know (accept failing for lack of file descriptors,
  // connections refused over the cap); called from an I/O thread, at most once a second; may be empty.
  std::function<void(const std::string&)> warn;
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
  // Connections open now.
  std::size_t open_connections() const;
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

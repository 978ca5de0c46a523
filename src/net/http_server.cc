// The only translation unit that compiles Beast's server side. Plain and TLS connections run the same
// session coroutine, templated on the stream.
#include "net/http_server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace hookd::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct HttpServer::State {
  // Shared with the respond callbacks a handler may still hold after the server is gone, so that the
  // coroutines waiting in it are destroyed with it, never resumed on a dead context. Declared first:
  // destroyed last.
  std::shared_ptr<asio::io_context> context_owner = std::make_shared<asio::io_context>();
  asio::io_context& context = *context_owner;
  ServerOptions options;
  Handler handler;
  tcp::acceptor acceptor{context};
  std::optional<ssl::context> tls_context;  // set when serving HTTPS
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::size_t> open{0};  // connections being served
  std::atomic<std::int64_t> last_warning{
      0};  // steady_clock seconds of the last warning, for warn_at_most_once_a_second
  std::mutex sessions_mutex;
  // Open connections (their TCP layer), closed on stop.
  std::set<std::shared_ptr<beast::tcp_stream>> sessions;
};

namespace {

std::string error_body(std::string_view code, std::string_view detail) {
  return "{\"code\":\"" + std::string(code) + "\",\"detail\":\"" + std::string(detail) + "\"}";
}

http::response<http::string_body> to_beast(HttpResponse&& response, unsigned version, bool keep_alive,
                                           const std::string& server_header) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), version};
  for (auto& [name, value] : response.headers.entries()) out.insert(name, value);
  if (!server_header.empty()) out.set(http::field::server, server_header);
  // 1xx, 204 and 304 answers have no body by definition (and Beast refuses to frame one).
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless) out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

HttpRequest from_beast(http::request<http::string_body>&& request, const tcp::socket& socket) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  for (const auto& field : request) out.headers.add(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(request.body());
  boost::system::error_code ignored;
  const auto peer = socket.remote_endpoint(ignored);
  out.remote_address = peer.address().to_string();
  out.remote_port = peer.port();
  return out;
}

// Hands the request to the handler and resumes when it responds, on this session's executor. The
// work guard keeps the I/O threads running while a handler works elsewhere.
template <class Token>
auto async_handle(HttpServer::State& state, HttpRequest request, Token&& token) {
  return asio::async_initiate<Token, void(HttpResponse)>(
      [&state](auto completion, HttpRequest req) {
        using Completion = decltype(completion);
        using Executor = asio::associated_executor_t<Completion>;
        struct Pending {
          std::shared_ptr<asio::io_context> context;
          std::optional<Completion> completion;
          asio::executor_work_guard<Executor> work;
        };
        auto executor = asio::get_associated_executor(completion);
        auto pending = std::make_shared<Pending>(
            Pending{state.context_owner, std::move(completion), asio::make_work_guard(executor)});
        state.handler(std::move(req), [pending](HttpResponse response) {
          // Hold the context only while posting: once the answer is queued, the queue owns the wait, and
          // a server stopped meanwhile destroys it with its context (no cycle, no leak).
          auto context = std::move(pending->context);
          if (!context) return;  // responded twice: the first answer stands
          auto work_executor = pending->work.get_executor();
          asio::post(work_executor, [pending, response = std::move(response)]() mutable {
            if (!pending->completion) return;
            auto completion_handler = std::move(*pending->completion);
            pending->completion.reset();
            pending->work.reset();
            std::move(completion_handler)(std::move(response));
          });
        });
      },
      token, std::move(request));
}

template <class Stream>
asio::awaitable<void> write_error(Stream& stream, beast::tcp_stream& transport, int status, std::string_view code,
                                  std::string_view detail, const ServerOptions& options) {
  auto response = to_beast(HttpResponse::json(status, error_body(code, detail)), 11, false, options.server_header);
  transport.expires_after(options.limits.write_timeout);
  co_await http::async_write(stream, response, kTuple);
}

// Passes `message` to the server's warn callback, unless a warning went out less than a second ago.
void warn_at_most_once_a_second(HttpServer::State& state, const std::string& message) {
  if (!state.options.warn) return;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::int64_t last = state.last_warning.load();
  if (now <= last || !state.last_warning.compare_exchange_strong(last, now)) return;
  state.options.warn(message);
}

// Reads one request into `parser` under the server's deadlines: its first byte within `first_byte_timeout`,
// then its head within header_timeout, then its body at body_min_rate. A client too slow for them gets
// beast::error::timeout (the stream is closed).
template <class Stream>
asio::awaitable<beast::error_code> read_request(Stream& stream, beast::tcp_stream& transport,
                                                beast::flat_buffer& buffer,
                                                http::request_parser<http::string_body>& parser,
                                                const ServerLimits& limits,
                                                std::chrono::milliseconds first_byte_timeout) {
  if (buffer.size() == 0) {
    transport.expires_after(first_byte_timeout);
    auto [error, bytes] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
    if (error) co_return error;
    buffer.commit(bytes);
  }
  // Most requests arrive whole in one read: parse what is here at once, without another asynchronous
  // step (each costs a trip through the event loop); read more only for what is missing.
  while (buffer.size() > 0 && !parser.is_done()) {
    beast::error_code error;
    const std::size_t used = parser.put(buffer.data(), error);
    buffer.consume(used);
    if (error == http::error::need_more) break;
    if (error) co_return error;
    if (used == 0) break;
  }
  if (parser.is_done()) co_return beast::error_code{};
  if (!parser.is_header_done()) {
    transport.expires_after(limits.header_timeout);
    auto [header_error, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (header_error || parser.is_done()) co_return header_error;
  }

  const auto body_started = std::chrono::steady_clock::now();
  const double seconds_per_byte = 1.0 / static_cast<double>(std::max<std::size_t>(1, limits.body_min_rate));
  std::uint64_t received = 0;
  while (!parser.is_done()) {
    const auto earned = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(static_cast<double>(received) * seconds_per_byte));
    transport.expires_at(body_started + limits.body_timeout + earned);
    auto [error, bytes] = co_await http::async_read_some(stream, buffer, parser, kTuple);
    if (error) co_return error;
    received += bytes;
  }
  co_return beast::error_code{};
}

// Serves the requests of one connection, after the TLS handshake (under the write timeout) when it has
// one. `transport` is the stream's TCP layer (the stream itself when plain); the caller closes it and
// forgets the connection when the session ends. `state` outlives the session: the server's context,
// which runs it, is destroyed after the state.
template <class Stream>
asio::awaitable<void> session(HttpServer::State* state, std::shared_ptr<Stream> stream,
                              std::shared_ptr<beast::tcp_stream> transport) {
  const ServerOptions& options = state->options;
  const ServerLimits& limits = options.limits;
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    transport->expires_after(limits.write_timeout);
    auto [handshake_error] = co_await stream->async_handshake(ssl::stream_base::server, kTuple);
    if (handshake_error) co_return;
  }
  beast::flat_buffer buffer;
  bool first_request = true;
  while (!state->stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));

    // A new connection must start its request as promptly as it must finish its head; a kept-alive one
    // may idle between requests.
    const beast::error_code read_error = co_await read_request(
        *stream, *transport, buffer, parser, limits, first_request ? limits.header_timeout : limits.idle_timeout);
    first_request = false;
    if (read_error == http::error::body_limit) {
      co_await write_error(*stream, *transport, 413, "payload_too_large",
                           "request body is larger than the server accepts", options);
      break;
    }
    if (read_error == http::error::header_limit) {
      co_await write_error(*stream, *transport, 431, "generic_error", "request headers are too large", options);
      break;
    }
    if (read_error == http::error::end_of_stream || read_error == asio::error::operation_aborted ||
        read_error == beast::error::timeout || read_error == asio::error::eof ||
        read_error == asio::error::connection_reset || read_error == http::error::partial_message) {
      break;
    }
    if (read_error) {
      co_await write_error(*stream, *transport, 400, "generic_error", "malformed HTTP request", options);
      break;
    }

    http::request<http::string_body> request = parser.release();
    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    const bool head = request.method() == http::verb::head;
    transport->expires_never();
    ++state->in_flight;
    HttpResponse response =
        co_await async_handle(*state, from_beast(std::move(request), transport->socket()), asio::use_awaitable);
    --state->in_flight;
    auto out = to_beast(std::move(response), version, keep_alive && !state->stopping, options.server_header);
    transport->expires_after(limits.write_timeout);
    boost::system::error_code write_error_code;
    if (head) {
      http::response_serializer<http::string_body> serializer(out);
      std::tie(write_error_code, std::ignore) = co_await http::async_write_header(*stream, serializer, kTuple);
    } else {
      std::tie(write_error_code, std::ignore) = co_await http::async_write(*stream, out, kTuple);
    }
    if (write_error_code || !out.keep_alive()) break;
  }
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    transport->expires_after(std::chrono::seconds(1));
    co_await stream->async_shutdown(kTuple);  // close_notify; a peer that is gone does not matter
  }
  beast::error_code ignored;
  transport->socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Starts serving an accepted connection, over TLS when the server has a certificate.
void serve_connection(HttpServer::State* state, tcp::socket socket) {
  std::shared_ptr<beast::tcp_stream> transport;
  std::shared_ptr<TlsStream> tls;
  if (state->tls_context) {
    tls = std::make_shared<TlsStream>(std::move(socket), *state->tls_context);
    transport = std::shared_ptr<beast::tcp_stream>(tls, &beast::get_lowest_layer(*tls));  // shares ownership
  } else {
    transport = std::make_shared<beast::tcp_stream>(std::move(socket));
  }
  {
    std::lock_guard lock(state->sessions_mutex);
    state->sessions.insert(transport);
  }
  ++state->open;
  // However the session ended (done, refused, or it threw: out of memory, a bug), its connection
  // closes and the server goes on.
  auto on_end = [state, transport](std::exception_ptr) {
    beast::error_code close_error;
    transport->socket().close(close_error);
    --state->open;
    std::lock_guard lock(state->sessions_mutex);
    state->sessions.erase(transport);
  };
  if (tls) {
    asio::co_spawn(transport->get_executor(), session(state, tls, transport), on_end);
  } else {
    asio::co_spawn(transport->get_executor(), session(state, transport, transport), on_end);
  }
}

// The server's TLS context from its certificate and key files; an error message when they cannot be used.
std::optional<ssl::context> make_tls_context(const ServerTls& files, std::string& error) {
  ssl::context context{ssl::context::tls_server};
  context.set_options(ssl::context::default_workarounds);  // the versions: SSL_CTX_set_min_proto_version
  static const std::pair<const char*, int> kVersions[] = {
      {"1.0", TLS1_VERSION}, {"1.1", TLS1_1_VERSION}, {"1.2", TLS1_2_VERSION}, {"1.3", TLS1_3_VERSION}};
  int min_version = 0;
  for (const auto& [name, version] : kVersions) {
    if (files.min_version == name) min_version = version;
  }
  if (min_version == 0) {
    error = "unknown TLS version '" + files.min_version + "' (use 1.0, 1.1, 1.2 or 1.3)";
    return std::nullopt;
  }
  SSL_CTX_set_min_proto_version(context.native_handle(), min_version);
  if (!files.cipher_list.empty() && SSL_CTX_set_cipher_list(context.native_handle(), files.cipher_list.c_str()) != 1) {
    error = "no usable cipher suite in '" + files.cipher_list + "'";
    return std::nullopt;
  }
  boost::system::error_code ec;
  context.use_certificate_chain_file(files.certificate_file, ec);
  if (ec) {
    error = "cannot use certificate " + files.certificate_file + ": " + ec.message();
    return std::nullopt;
  }
  context.use_private_key_file(files.private_key_file, ssl::context::pem, ec);
  if (ec) {
    error = "cannot use private key " + files.private_key_file + ": " + ec.message();
    return std::nullopt;
  }
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    error = "private key " + files.private_key_file + " does not match certificate " + files.certificate_file;
    return std::nullopt;
  }
  return context;
}

// Answers a connection over the cap with 503 and closes it, without a session: a write that fits the
// socket's buffer and never waits, after taking what the client already sent (so that closing does not
// reset the connection before the client reads the answer).
template <class Socket>
void refuse_connection(Socket& socket, const ServerOptions& options) {
  static const std::string kAnswer = [] {
    const std::string body = error_body("unavailable", "the server has too many open connections; try again later");
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  if (!options.tls) {
    char discard[4096];
    socket.read_some(asio::buffer(discard), ignored);
    socket.write_some(asio::buffer(kAnswer), ignored);
  }
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> accept_loop(HttpServer::State* state) {
  asio::steady_timer backoff(state->context);
  while (!state->stopping) {
    // Each connection runs on its own strand, so that stop() can cancel it safely from outside.
    auto [error, socket] = co_await state->acceptor.async_accept(asio::make_strand(state->context), kTuple);
    if (error) {
      if (error == asio::error::operation_aborted || state->stopping) break;
      // Out of file descriptors (EMFILE, ENFILE) or memory: the connection waits in the backlog, and
      // accepting again at once would spin. Serve the connections already open, and try again shortly.
      warn_at_most_once_a_second(*state, "cannot accept connections: " + error.message() +
                                             " (open connections: " + std::to_string(state->open.load()) + ")");
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kTuple);
      continue;
    }
    ++state->accepted;
    if (state->open >= state->options.limits.max_connections) {
      warn_at_most_once_a_second(*state, "refusing connections: " + std::to_string(state->open.load()) +
                                             " are open, the most allowed (http.max_connections)");
      refuse_connection(socket, state->options);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    serve_connection(state, std::move(socket));
  }
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

std::unique_ptr<HttpServer> HttpServer::listen(ServerOptions options, Handler handler, std::string& error) {
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  state->handler = std::move(handler);
  if (state->options.tls) {
    state->tls_context = make_tls_context(*state->options.tls, error);
    if (!state->tls_context) return nullptr;
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(state->options.address, ec);
  if (ec) {
    error = "'" + state->options.address + "' is not an IP address";
    return nullptr;
  }
  const tcp::endpoint endpoint(address, state->options.port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error =
        "cannot listen on " + state->options.address + ":" + std::to_string(state->options.port) + ": " + ec.message();
    return nullptr;
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ignored;
  return state_->acceptor.local_endpoint(ignored).port();
}

std::uint64_t HttpServer::accepted_connections() const { return state_->accepted; }

std::size_t HttpServer::open_connections() const { return state_->open; }

void HttpServer::start() {
  asio::co_spawn(state_->context, accept_loop(state_.get()), asio::detached);
  for (int i = 0; i < std::max(1, state_->options.threads); ++i) {
    state_->threads.emplace_back([context = state_->context_owner] { context->run(); });
  }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (state_->stopping.exchange(true)) {
    for (auto& thread : state_->threads) {
      if (thread.joinable()) thread.join();
    }
    return;
  }
  asio::post(state_->context, [state = state_.get()] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
  // In-flight requests finish and answer with "Connection: close"; then every connection is closed.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (state_->in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::lock_guard lock(state_->sessions_mutex);
    for (const auto& stream : state_->sessions) {
      asio::post(stream->get_executor(), [stream] {
        boost::system::error_code ignored;
        stream->socket().cancel(ignored);
      });
    }
  }
  const auto close_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < close_deadline) {
    {
      std::lock_guard lock(state_->sessions_mutex);
      if (state_->sessions.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  state_->context.stop();
  for (auto& thread : state_->threads) {
    if (thread.joinable()) thread.join();
  }
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);  // if the posted close never ran
}

}  // namespace hookd::net

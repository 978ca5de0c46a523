// The only translation unit that compiles Beast's client side and OpenSSL's TLS streams.
#include "net/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <vector>

#include "net/url.h"

namespace hookd::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// One connection to an origin, plain or TLS.
struct Connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  bool open() { return lowest().socket().is_open(); }
};

// What one request/response exchange on a connection produced.
struct Exchange {
  boost::system::error_code error;
  bool received_anything = false;  // any response byte arrived (then the request must not be retried)
  bool reusable = false;
};

}  // namespace

struct HttpClient::State {
  EventLoop& loop;
  ClientOptions options;
  ssl::context tls_context{ssl::context::tls_client};
  DnsResolver dns;
  // Idle connections per origin; only touched on the loop's single thread.
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;

  State(EventLoop& l, ClientOptions o) : loop(l), options(std::move(o)), dns(options.dns) {
    tls_context.set_default_verify_paths();
    if (!options.extra_ca_file.empty()) tls_context.load_verify_file(options.extra_ca_file);
    tls_context.set_verify_mode(ssl::verify_peer);
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  }

  std::unique_ptr<Connection> take_idle(const std::string& origin) {
    auto it = idle.find(origin);
    if (it == idle.end()) return nullptr;
    auto& pool = it->second;
    while (!pool.empty()) {
      auto connection = std::move(pool.back());
      pool.pop_back();
      if (connection->open() && Clock::now() - connection->idle_since < options.idle_timeout) return connection;
    }
    return nullptr;
  }

  void give_back(const std::string& origin, std::unique_ptr<Connection> connection) {
    auto& pool = idle[origin];
    if (pool.size() >= options.max_idle_per_origin) return;  // dropping it closes it
    connection->idle_since = Clock::now();
    pool.push_back(std::move(connection));
  }
};

namespace {

using namespace asio::experimental::awaitable_operators;

OutboundResponse failure(SendFailure kind, std::string error) {
  OutboundResponse response;
  response.failure = kind;
  response.error = std::move(error);
  return response;
}

// Resolves `host` within `deadline`, through the client's resolver: a lookup that hangs holds only the
// exchange that asked for it.
asio::awaitable<std::variant<std::vector<tcp::endpoint>, OutboundResponse>> resolve(HttpClient::State& state,
                                                                                    const std::string& host,
                                                                                    std::uint16_t port,
                                                                                    Clock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  // The answer comes on the resolver's thread; it is handed over on this executor, and cancels the wait.
  struct Wait {
    asio::steady_timer timer;
    std::optional<DnsAnswer> answer;
  };
  auto wait = std::make_shared<Wait>(Wait{asio::steady_timer(executor, deadline), std::nullopt});
  state.dns.resolve(host, [wait](DnsAnswer answer) {
    asio::post(wait->timer.get_executor(), [wait, answer = std::move(answer)]() mutable {
      wait->answer = std::move(answer);
      wait->timer.cancel();
    });
  });
  co_await wait->timer.async_wait(kTuple);
  if (!wait->answer) co_return failure(SendFailure::timeout, "resolving " + host + " timed out");
  if (wait->answer->addresses.empty()) {
    co_return failure(wait->answer->timed_out ? SendFailure::timeout : SendFailure::resolve,
                      "cannot resolve " + host + ": " + wait->answer->error);
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& text : wait->answer->addresses) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(text, error);
    if (!error) endpoints.emplace_back(address, port);
  }
  co_return endpoints;
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

// Connects `stream` to the first of `endpoints` that answers.
template <class Endpoints>
asio::awaitable<std::optional<OutboundResponse>> open(beast::tcp_stream& stream, const Endpoints& endpoints,
                                                      const std::string& peer) {
  auto [error, connected] = co_await stream.async_connect(endpoints, kTuple);
  if (error == beast::error::timeout) co_return failure(SendFailure::timeout, "connecting timed out");
  if (error) co_return failure(SendFailure::connect, "cannot connect to " + peer + ": " + error.message());
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
  co_return std::nullopt;
}

// Opens a CONNECT tunnel through the proxy to `target` on `stream`.
asio::awaitable<std::optional<OutboundResponse>> tunnel(HttpClient::State& state, beast::tcp_stream& stream,
                                                        const ProxySettings& proxy, const tcp::endpoint& target,
                                                        Clock::time_point deadline) {
  auto proxies = co_await resolve(state, proxy.host, proxy.port, deadline);
  if (auto* failed = std::get_if<OutboundResponse>(&proxies)) co_return std::move(*failed);
  if (auto failed = co_await open(stream, std::get<0>(proxies), "the proxy " + proxy.address())) co_return failed;

  const std::string authority = endpoint_text(target);
  http::request<http::empty_body> request{http::verb::connect, authority, 11};
  request.set(http::field::host, authority);
  if (!proxy.authorization.empty()) request.set(http::field::proxy_authorization, proxy.authorization);
  auto [write_error, written] = co_await http::async_write(stream, request, kTuple);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel follows
  boost::system::error_code read_error;
  if (!write_error)
    std::tie(read_error, std::ignore) = co_await http::async_read_header(stream, buffer, parser, kTuple);
  if (write_error || read_error) {
    const auto& error = write_error ? write_error : read_error;
    if (error == beast::error::timeout)
      co_return failure(SendFailure::timeout, "the proxy did not answer CONNECT in time");
    co_return failure(SendFailure::connect, "the proxy " + proxy.address() + " failed: " + error.message());
  }
  const unsigned status = parser.get().result_int();
  if (status / 100 != 2) {
    co_return failure(SendFailure::connect, "the proxy " + proxy.address() + " answered CONNECT " + authority +
                                                " with " + std::to_string(status) + " " +
                                                std::string(parser.get().reason()));
  }
  if (buffer.size() > 0) co_return failure(SendFailure::protocol, "the proxy sent bytes before the tunnel opened");
  co_return std::nullopt;
}

// The one place connections are made: every resolved address passes the filter first, and the
// connection goes to exactly the addresses that passed (directly, or through a CONNECT tunnel to that
// address when a proxy is configured and the host does not bypass it).
asio::awaitable<std::variant<std::unique_ptr<Connection>, OutboundResponse>> connect(HttpClient::State& state,
                                                                                     const HttpUrl& url,
                                                                                     Clock::time_point deadline) {
  auto resolved = co_await resolve(state, url.host, url.port, deadline);
  if (auto* failed = std::get_if<OutboundResponse>(&resolved)) co_return std::move(*failed);
  std::vector<tcp::endpoint> allowed;
  std::string refusals;
  for (const auto& endpoint : std::get<0>(resolved)) {
    const std::string address = endpoint.address().to_string();
    std::string reason = state.options.filter ? state.options.filter(address) : std::string();
    if (reason.empty()) {
      allowed.push_back(endpoint);
    } else {
      refusals += (refusals.empty() ? "" : "; ") + reason;
    }
  }
  if (allowed.empty()) co_return failure(SendFailure::refused, refusals);

  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  stream.expires_at(deadline);
  const auto& proxy = state.options.proxy;
  if (proxy && !proxy->bypasses(url.host)) {
    std::optional<OutboundResponse> failed;
    for (const auto& target : allowed) {
      failed = co_await tunnel(state, stream, *proxy, target, deadline);
      if (!failed) break;
      boost::system::error_code ignored;
      stream.socket().close(ignored);
    }
    if (failed) co_return std::move(*failed);
  } else if (auto failed = co_await open(stream, allowed, url.host_header)) {
    co_return std::move(*failed);
  }

  auto connection = std::make_unique<Connection>();
  if (!url.tls()) {
    connection->plain.emplace(std::move(stream));
    co_return connection;
  }
  connection->tls.emplace(std::move(stream), state.tls_context);
  SSL* handle = connection->tls->native_handle();
  // SSL_set_tlsext_host_name, without the macro's C cast.
  if (!url.host_is_ip && SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                  const_cast<char*>(url.host.c_str())) != 1) {
    co_return failure(SendFailure::tls, "cannot set TLS server name");
  }
  connection->tls->set_verify_callback(ssl::host_name_verification(url.host));
  auto [handshake_error] = co_await connection->tls->async_handshake(ssl::stream_base::client, kTuple);
  if (handshake_error) {
    if (handshake_error == beast::error::timeout) co_return failure(SendFailure::timeout, "TLS handshake timed out");
    co_return failure(SendFailure::tls,
                      "TLS handshake with " + url.host_header + " failed: " + handshake_error.message());
  }
  co_return connection;
}

// Writes the request and reads the answer, keeping at most max_response_bytes of the body.
template <class Stream>
asio::awaitable<Exchange> exchange(Stream& stream, beast::flat_buffer& buffer,
                                   http::request<http::span_body<const char>>& request, std::size_t max_bytes,
                                   OutboundResponse& out) {
  Exchange result;
  std::tie(result.error, std::ignore) = co_await http::async_write(stream, request, kTuple);
  if (result.error) co_return result;

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // the cap is applied below, by reading no further
  std::tie(result.error, std::ignore) = co_await http::async_read_header(stream, buffer, parser, kTuple);
  result.received_anything = buffer.size() > 0 || parser.got_some();
  if (result.error) co_return result;

  const auto& header = parser.get();
  out.status = static_cast<int>(header.result_int());
  if (auto it = header.find(http::field::retry_after); it != header.end()) out.retry_after = std::string(it->value());

  char chunk[8192];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    auto [error, bytes] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (error && error != http::error::need_buffer) {
      result.error = error;
      co_return result;
    }
    const std::size_t got = sizeof chunk - parser.get().body().size;
    const std::size_t room = max_bytes - std::min(max_bytes, out.body.size());
    out.body.append(chunk, std::min(got, room));
    if (got > room) {
      out.truncated = true;  // the rest is not read; the connection cannot be reused
      co_return result;
    }
  }
  result.reusable = parser.keep_alive();
  co_return result;
}

asio::awaitable<OutboundResponse> perform(std::shared_ptr<HttpClient::State> state, OutboundRequest request) {
  const auto started = Clock::now();
  const auto deadline = started + request.timeout;
  std::string url_error;
  const auto url = parse_http_url(request.url, url_error);
  if (!url) co_return failure(SendFailure::bad_url, "bad URL: " + url_error);
  if (state->options.https_only && !url->tls()) {
    co_return failure(SendFailure::refused, "refused " + request.url + ": https_only is on, and this URL is not https");
  }

  static const std::string kEmpty;
  const std::string& body = request.body ? *request.body : kEmpty;
  const http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) co_return failure(SendFailure::bad_url, "unknown method " + request.method);
  http::request<http::span_body<const char>> message{verb, url->target, 11};
  for (const auto& [name, value] : request.headers.entries()) message.insert(name, value);
  message.set(http::field::host, url->host_header);
  if (message.find(http::field::user_agent) == message.end())
    message.set(http::field::user_agent, state->options.user_agent);
  message.body() = boost::beast::span<const char>(body.data(), body.size());
  message.keep_alive(true);
  message.prepare_payload();

  const std::string origin = url->origin();
  // A pooled connection may have been closed by the peer while idle; such a request is sent again on a
  // new connection, once, but only when no byte of an answer arrived.
  for (int round = 0; round < 2; ++round) {
    auto connection = round == 0 ? state->take_idle(origin) : nullptr;
    const bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await connect(*state, *url, deadline);
      if (auto* failed = std::get_if<OutboundResponse>(&connected)) {
        failed->duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
        co_return std::move(*failed);
      }
      connection = std::move(std::get<0>(connected));
    }
    connection->lowest().expires_at(deadline);

    OutboundResponse response;
    const Exchange result =
        connection->tls
            ? co_await exchange(*connection->tls, connection->buffer, message, request.max_response_bytes, response)
            : co_await exchange(*connection->plain, connection->buffer, message, request.max_response_bytes, response);
    response.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    if (result.error && reused && !result.received_anything && result.error != beast::error::timeout) continue;
    if (result.error == beast::error::timeout) {
      auto timed_out =
          failure(SendFailure::timeout, "no complete answer within " + std::to_string(request.timeout.count()) + " ms");
      timed_out.duration = response.duration;
      co_return timed_out;
    }
    if (result.error) {
      auto broken =
          failure(SendFailure::protocol, "exchange with " + url->host_header + " failed: " + result.error.message());
      broken.duration = response.duration;
      co_return broken;
    }
    if (result.reusable) {
      connection->lowest().expires_never();
      state->give_back(origin, std::move(connection));
    }
    co_return response;
  }
  co_return failure(SendFailure::protocol, "the connection closed before an answer");
}

}  // namespace

HttpClient::HttpClient(EventLoop& loop, ClientOptions options)
    : state_(std::make_shared<State>(loop, std::move(options))) {}

HttpClient::~HttpClient() = default;

void HttpClient::send(OutboundRequest request, std::function<void(OutboundResponse)> done) {
  asio::co_spawn(state_->loop.context(), perform(state_, std::move(request)),
                 [done = std::move(done)](std::exception_ptr exception, OutboundResponse response) {
                   if (exception) {
                     response = failure(SendFailure::protocol, "internal error while sending");
                   }
                   done(std::move(response));
                 });
}

std::string_view failure_name(SendFailure failure) {
  switch (failure) {
    case SendFailure::none:
      return "none";
    case SendFailure::bad_url:
      return "bad_url";
    case SendFailure::resolve:
      return "resolve";
    case SendFailure::refused:
      return "refused";
    case SendFailure::connect:
      return "connect";
    case SendFailure::tls:
      return "tls";
    case SendFailure::timeout:
      return "timeout";
    case SendFailure::protocol:
      return "protocol";
  }
  return "unknown";
}

}  // namespace hookd::net

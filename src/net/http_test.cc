// The HTTP server and client against each other over loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "net/http_client.h"
#include "net/http_server.h"

namespace hookd::net {
namespace {

using namespace std::chrono_literals;

class HttpTest : public ::testing::Test {
 protected:
  void serve(Handler handler, ServerOptions options = {}) {
    std::string error;
    server_ = HttpServer::listen(options, std::move(handler), error);
    ASSERT_TRUE(server_) << error;
    server_->start();
  }

  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

  OutboundResponse send(OutboundRequest request) {
    std::promise<OutboundResponse> promise;
    auto future = promise.get_future();
    client_.send(std::move(request), [&promise](OutboundResponse response) { promise.set_value(std::move(response)); });
    if (future.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "no outcome within 10 s";
      return {};
    }
    return future.get();
  }

  OutboundRequest post(std::string target_url, std::string body = "{}") {
    OutboundRequest request;
    request.url = std::move(target_url);
    request.headers.add("content-type", "application/json");
    request.body = std::make_shared<const std::string>(std::move(body));
    return request;
  }

  void SetUp() override { loop_.start(); }
  void TearDown() override {
    loop_.stop();
    if (server_) server_->stop(0ms);
  }

  EventLoop loop_;
  ClientOptions client_options_;
  HttpClient client_{loop_, client_options_};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpTest, DeliversBodyAndHeadersAndReusesConnections) {
  std::atomic<int> requests{0};
  serve([&](HttpRequest&& request, Respond respond) {
    ++requests;
    HttpResponse response = HttpResponse::json(200, request.method + " " + request.target + " " + request.body);
    response.headers.add("x-echo", std::string(request.headers.find("x-test").value_or("none")));
    respond(std::move(response));
  });
  for (int i = 0; i < 20; ++i) {
    auto request = post(url("/hook?n=1"), "{\"i\":" + std::to_string(i) + "}");
    request.headers.add("x-test", "yes");
    const auto response = send(std::move(request));
    ASSERT_EQ(response.failure, SendFailure::none) << response.error;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "POST /hook?n=1 {\"i\":" + std::to_string(i) + "}");
  }
  EXPECT_EQ(requests, 20);
}

TEST_F(HttpTest, BodilessStatusesDropTheBodyAHandlerGave) {
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::json(204, "{\"ignored\":true}")); });
  const auto response = send(post(url()));
  EXPECT_EQ(response.failure, SendFailure::none) << response.error;
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.body, "");
}

TEST_F(HttpTest, DoesNotFollowRedirects) {
  std::atomic<int> requests{0};
  serve([&](HttpRequest&&, Respond respond) {
    ++requests;
    HttpResponse response = HttpResponse::empty(302);
    response.headers.add("location", "/elsewhere");
    respond(std::move(response));
  });
  const auto response = send(post(url()));
  EXPECT_EQ(response.failure, SendFailure::none);
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(requests, 1);
}

TEST_F(HttpTest, TruncatesLongResponses) {
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::json(500, std::string(100000, 'x'))); });
  auto request = post(url());
  request.max_response_bytes = 20000;
  const auto response = send(std::move(request));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.size(), 20000u);
  EXPECT_TRUE(response.truncated);
  // The truncated connection is not reused; the next request still works.
  EXPECT_EQ(send(post(url())).status, 500);
}

TEST_F(HttpTest, TimesOutOnSlowReceivers) {
  std::vector<std::thread> slow;
  serve([&](HttpRequest&&, Respond respond) {
    slow.emplace_back([respond] {
      std::this_thread::sleep_for(3s);
      respond(HttpResponse::empty(204));
    });
  });
  auto request = post(url());
  request.timeout = 200ms;
  const auto response = send(std::move(request));
  EXPECT_EQ(response.failure, SendFailure::timeout);
  EXPECT_EQ(response.status, 0);
  EXPECT_GE(response.duration, 200ms);
  EXPECT_LT(response.duration, 2500ms);  // the answer would have come after 3 s
  for (auto& thread : slow) thread.join();
}

TEST_F(HttpTest, ReportsRefusedConnections) {
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::empty(204)); });
  const std::string closed = url();
  server_->stop(0ms);
  const auto response = send(post(closed));
  EXPECT_EQ(response.failure, SendFailure::connect);
  EXPECT_NE(response.error.find("refused"), std::string::npos) << response.error;
}

TEST_F(HttpTest, AddressFilterRefusalMeansNoConnection) {
  std::atomic<int> requests{0};
  serve([&](HttpRequest&&, Respond respond) {
    ++requests;
    respond(HttpResponse::empty(204));
  });
  EventLoop loop;
  loop.start();
  ClientOptions options;
  options.filter = [](const std::string& ip) { return "refused " + ip + ": loopback"; };
  HttpClient guarded(loop, options);
  std::promise<OutboundResponse> promise;
  guarded.send(post(url()), [&](OutboundResponse response) { promise.set_value(std::move(response)); });
  const auto response = promise.get_future().get();
  loop.stop();
  EXPECT_EQ(response.failure, SendFailure::refused);
  EXPECT_EQ(response.error, "refused 127.0.0.1: loopback");
  EXPECT_EQ(requests, 0);
}

TEST_F(HttpTest, RejectsBadUrls) { EXPECT_EQ(send(post("ftp://example.com/")).failure, SendFailure::bad_url); }

TEST_F(HttpTest, AnswersOversizedBodiesWith413) {
  ServerOptions options;
  options.limits.max_body_bytes = 1000;
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::empty(204)); }, options);
  const auto response = send(post(url(), std::string(5000, 'x')));
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("payload_too_large"), std::string::npos);
  EXPECT_EQ(send(post(url(), std::string(1000, 'x'))).status, 204);
}

// Writes raw bytes to the server and returns what it answers before closing.
std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "connect failed";
  (void)!::write(fd, bytes.data(), bytes.size());
  std::string answer;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return answer;
}

TEST_F(HttpTest, AnswersMalformedRequestsWith400AndKeepsServing) {
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::empty(204)); });
  const std::string answer = raw_exchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  EXPECT_NE(answer.find("generic_error"), std::string::npos);
  const std::string huge_header = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_TRUE(raw_exchange(server_->port(), huge_header).starts_with("HTTP/1.1 431"));
  EXPECT_EQ(send(post(url())).status, 204);
}

TEST_F(HttpTest, HeadRequestsGetHeadersOnly) {
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::json(200, "{\"ok\":true}")); });
  const std::string answer = raw_exchange(server_->port(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("Content-Length: 11"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("{\"ok\""), std::string::npos);
}

// A raw client socket to the server on loopback, for clients that misbehave.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval wait{0, 100 * 1000};  // reads give up after 100 ms, so that a test can go on sending
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  // False once the server closed the connection (a write fails, or a read sees its end).
  bool send(const std::string& bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) >= 0; }
  // Reads what arrived within 100 ms; sets closed() when the server closed the connection.
  std::string read() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed_ = true;
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

// Sends `piece` every 50 ms until the server closes the connection or `give_up` passes; returns how
// long the server kept it, and everything it answered.
std::pair<std::chrono::milliseconds, std::string> trickle(RawClient& client, const std::string& first,
                                                          const std::string& piece,
                                                          std::chrono::milliseconds give_up = 10s) {
  const auto started = std::chrono::steady_clock::now();
  std::string answer;
  client.send(first);
  while (!client.closed() && std::chrono::steady_clock::now() - started < give_up) {
    if (!client.send(piece)) break;
    answer += client.read();
    std::this_thread::sleep_for(50ms);
  }
  while (!client.closed() && std::chrono::steady_clock::now() - started < give_up) answer += client.read();
  return {std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started), answer};
}

TEST_F(HttpTest, AHeadSentTooSlowlyIsCutOffAtTheHeaderDeadline) {
  std::atomic<int> requests{0};
  ServerOptions options;
  options.limits.header_timeout = 300ms;
  serve(
      [&](HttpRequest&&, Respond respond) {
        ++requests;
        respond(HttpResponse::empty(204));
      },
      options);
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.connected());
  // A header line every 50 ms never finishes the head, but keeps the connection busy.
  const auto [kept, answer] = trickle(slow, "GET / HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n");
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(kept, 5s);
  EXPECT_EQ(requests, 0);
  EXPECT_EQ(send(post(url())).status, 204);  // others are still served
}

TEST_F(HttpTest, ANewConnectionThatSendsNothingIsClosedAtTheHeaderDeadline) {
  ServerOptions options;
  options.limits.header_timeout = 300ms;
  options.limits.idle_timeout = 60s;
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::empty(204)); }, options);
  RawClient idle(server_->port());
  ASSERT_TRUE(idle.connected());
  const auto started = std::chrono::steady_clock::now();
  while (!idle.closed() && std::chrono::steady_clock::now() - started < 10s) idle.read();
  EXPECT_TRUE(idle.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(HttpTest, ABodySentBelowTheMinimumRateIsCutOff) {
  std::atomic<int> requests{0};
  ServerOptions options;
  options.limits.body_timeout = 300ms;
  options.limits.body_min_rate = 1000;
  serve(
      [&](HttpRequest&& request, Respond respond) {
        ++requests;
        respond(HttpResponse::json(200, std::to_string(request.body.size())));
      },
      options);
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.connected());
  // 10 bytes every 50 ms is 200 bytes a second: a fifth of the rate asked for.
  const auto [kept, answer] =
      trickle(slow, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", std::string(10, 'x'));
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(kept, 5s);
  EXPECT_EQ(requests, 0);
  // A body as large, sent at once, is read whole.
  EXPECT_EQ(send(post(url(), std::string(100000, 'x'))).body, "100000");
}

TEST_F(HttpTest, ConnectionsOverTheCapAreAnswered503AndThoseOpenGoOn) {
  ServerOptions options;
  options.limits.max_connections = 3;
  std::atomic<int> warnings{0};
  options.warn = [&](const std::string&) { ++warnings; };
  serve([](HttpRequest&&, Respond respond) { respond(HttpResponse::empty(204)); }, options);
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 3; ++i) open.push_back(std::make_unique<RawClient>(server_->port()));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server_->open_connections() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server_->open_connections(), 3u);

  const std::string refused = raw_exchange(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_EQ(warnings, 1);

  // The connections already open are served.
  for (auto& client : open) {
    ASSERT_TRUE(client->send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string answer;
    for (int i = 0; i < 50 && answer.find("\r\n\r\n") == std::string::npos; ++i) answer += client->read();
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 204")) << answer;
  }
  // Once one closes, a new connection is served again.
  open.pop_back();
  while (server_->open_connections() >= 3 && std::chrono::steady_clock::now() < deadline + 5s)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(raw_exchange(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .starts_with("HTTP/1.1 204"));
}

}  // namespace
}  // namespace hookd::net

// The client's TLS against `openssl s_server` with a certificate made for the test: verification is
// on, so an unknown issuer and a wrong host name fail the handshake, and a trusted certificate passes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>

#include "core/ids.h"
#include "net/http_client.h"
#include "support/connect_proxy.h"

namespace hookd::net {
namespace {

class TlsServer {
 public:
  // Serves TLS with a fresh self-signed certificate for `names` (subjectAltName entries).
  explicit TlsServer(const std::string& names) {
    directory_ = std::filesystem::temp_directory_path() / ("hookd-tls-" + core::new_id(""));
    std::filesystem::create_directories(directory_);
    cert_ = (directory_ / "cert.pem").string();
    const std::string key = (directory_ / "key.pem").string();
    const std::string make =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=hookd-test -addext subjectAltName=" +
        names + " -keyout " + key + " -out " + cert_ + " 2>/dev/null";
    if (std::system(make.c_str()) != 0) return;
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::execlp("openssl", "openssl", "s_server", "-accept", "0", "-cert", cert_.c_str(), "-key", key.c_str(), "-www",
               static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    ::close(out[1]);
    std::string text;
    char buffer[256];
    std::smatch match;
    while (!std::regex_search(text, match, std::regex(R"(ACCEPT .*:([0-9]+))"))) {
      const auto n = ::read(out[0], buffer, sizeof buffer);
      if (n <= 0) return;
      text.append(buffer, static_cast<std::size_t>(n));
    }
    port_ = std::stoi(match[1]);
    ::close(out[0]);
  }
  ~TlsServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(directory_);
  }
  int port() const { return port_; }
  const std::string& cert() const { return cert_; }

 private:
  std::filesystem::path directory_;
  std::string cert_;
  pid_t pid_ = -1;
  int port_ = 0;
};

OutboundResponse send(const std::string& url, const std::string& ca_file,
                      std::optional<ProxySettings> proxy = std::nullopt) {
  EventLoop loop;
  loop.start();
  ClientOptions options;
  options.extra_ca_file = ca_file;
  options.proxy = std::move(proxy);
  HttpClient client(loop, options);
  OutboundRequest request;
  request.url = url;
  request.body = std::make_shared<const std::string>("{}");
  request.timeout = std::chrono::seconds(5);
  std::promise<OutboundResponse> promise;
  client.send(std::move(request), [&](OutboundResponse response) { promise.set_value(std::move(response)); });
  auto response = promise.get_future().get();
  loop.stop();
  return response;
}

TEST(TlsClient, VerifiesTheCertificateAndTheHostName) {
  TlsServer server("DNS:localhost,IP:127.0.0.1");
  ASSERT_GT(server.port(), 0) << "openssl s_server did not start";
  const std::string url = "https://localhost:" + std::to_string(server.port()) + "/hook";

  // Trusted: the handshake passes (s_server then answers whatever it answers to a POST).
  const auto trusted = send(url, server.cert());
  EXPECT_NE(trusted.failure, SendFailure::tls) << trusted.error;

  // Unknown issuer.
  const auto untrusted = send(url, "");
  EXPECT_EQ(untrusted.failure, SendFailure::tls);
  EXPECT_NE(untrusted.error.find("certificate verify failed"), std::string::npos) << untrusted.error;
}

TEST(TlsClient, RefusesACertificateForAnotherName) {
  TlsServer server("DNS:other.example");
  ASSERT_GT(server.port(), 0) << "openssl s_server did not start";
  const auto response = send("https://localhost:" + std::to_string(server.port()) + "/hook", server.cert());
  EXPECT_EQ(response.failure, SendFailure::tls) << response.error;
}

TEST(TlsClient, VerifiesEndToEndThroughAProxyTunnel) {
  TlsServer server("DNS:localhost");
  ASSERT_GT(server.port(), 0) << "openssl s_server did not start";
  hookd::testing::ConnectProxy proxy;
  std::string error;
  auto settings = ProxySettings::parse(proxy.url(), error);
  ASSERT_TRUE(settings) << error;
  const std::string url = "https://localhost:" + std::to_string(server.port()) + "/hook";
  // The proxy only relays bytes: the certificate is checked against the endpoint's name, as directly.
  const auto trusted = send(url, server.cert(), settings);
  EXPECT_NE(trusted.failure, SendFailure::tls) << trusted.error;
  EXPECT_NE(trusted.failure, SendFailure::connect) << trusted.error;
  EXPECT_GE(proxy.tunnels().size(), 1u);
  const auto untrusted = send(url, "", settings);
  EXPECT_EQ(untrusted.failure, SendFailure::tls) << untrusted.error;
}

}  // namespace
}  // namespace hookd::net

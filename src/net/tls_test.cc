// TLS both ways, with certificates made for the test. The client against `openssl s_server`:
// verification is on, so an unknown issuer and a wrong host name fail the handshake, and a trusted
// certificate passes. The server (HttpServer with ServerTls) against the client and `openssl s_client`.
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
#include "net/http_server.h"
#include "support/connect_proxy.h"

namespace hookd::net {
namespace {

// A fresh self-signed certificate for `names` (subjectAltName entries) and its key, in a temporary
// directory removed with it.
class TestCertificate {
 public:
  explicit TestCertificate(const std::string& names) {
    directory_ = std::filesystem::temp_directory_path() / ("hookd-tls-" + core::new_id(""));
    std::filesystem::create_directories(directory_);
    cert_ = (directory_ / "cert.pem").string();
    key_ = (directory_ / "key.pem").string();
    const std::string make =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=hookd-test -addext subjectAltName=" +
        names + " -keyout " + key_ + " -out " + cert_ + " 2>/dev/null";
    made_ = std::system(make.c_str()) == 0;
  }
  ~TestCertificate() { std::filesystem::remove_all(directory_); }
  bool made() const { return made_; }
  const std::string& cert() const { return cert_; }
  const std::string& key() const { return key_; }
  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
  std::string cert_;
  std::string key_;
  bool made_ = false;
};

class TlsServer {
 public:
  // Serves TLS with a fresh self-signed certificate for `names`.
  explicit TlsServer(const std::string& names) : certificate_(names) {
    if (!certificate_.made()) return;
    const std::string& key = certificate_.key();
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::execlp("openssl", "openssl", "s_server", "-accept", "0", "-cert", cert().c_str(), "-key", key.c_str(), "-www",
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
  }
  int port() const { return port_; }
  const std::string& cert() const { return certificate_.cert(); }

 private:
  TestCertificate certificate_;
  pid_t pid_ = -1;
  int port_ = 0;
};

OutboundResponse send(const std::string& url, const std::string& ca_file,
                      std::optional<ProxySettings> proxy = std::nullopt, std::string body = "{}") {
  EventLoop loop;
  loop.start();
  ClientOptions options;
  options.extra_ca_file = ca_file;
  options.proxy = std::move(proxy);
  HttpClient client(loop, options);
  OutboundRequest request;
  request.url = url;
  request.body = std::make_shared<const std::string>(std::move(body));
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

// An HTTPS HttpServer that echoes the request body.
std::unique_ptr<HttpServer> echo_server(const TestCertificate& certificate, std::string& error,
                                        std::string min_version = "1.2") {
  ServerOptions options;
  options.tls = ServerTls{certificate.cert(), certificate.key(), std::move(min_version), ""};
  auto server = HttpServer::listen(
      options, [](HttpRequest&& request, Respond respond) { respond(HttpResponse::json(200, request.body)); }, error);
  if (server) server->start();
  return server;
}

// What `openssl s_client` prints connecting to the port with these extra arguments.
std::string s_client(int port, const std::string& arguments) {
  const std::string command =
      "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " " + arguments + " 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[512];
    while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    ::pclose(pipe);
  }
  return out;
}

TEST(TlsServer, ServesHttpsWithItsCertificate) {
  TestCertificate certificate("DNS:localhost,IP:127.0.0.1");
  ASSERT_TRUE(certificate.made());
  std::string error;
  auto server = echo_server(certificate, error);
  ASSERT_TRUE(server) << error;
  const std::string url = "https://localhost:" + std::to_string(server->port()) + "/echo";

  const auto response = send(url, certificate.cert(), std::nullopt, R"({"over":"tls"})");
  ASSERT_EQ(response.failure, SendFailure::none) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"over":"tls"})");

  // A client that does not trust the certificate refuses it; the server goes on serving.
  EXPECT_EQ(send(url, "").failure, SendFailure::tls);
  // Plain HTTP to the TLS port is not answered as HTTP, and does not stop the server either.
  EXPECT_NE(send("http://127.0.0.1:" + std::to_string(server->port()) + "/echo", "").status, 200);
  EXPECT_EQ(send(url, certificate.cert()).status, 200);
}

TEST(TlsServer, HoldsItsMinimumVersion) {
  TestCertificate certificate("IP:127.0.0.1");
  ASSERT_TRUE(certificate.made());
  std::string error;
  auto server = echo_server(certificate, error, "1.3");
  ASSERT_TRUE(server) << error;
  EXPECT_NE(s_client(server->port(), "-tls1_3").find("TLSv1.3"), std::string::npos);
  const std::string refused = s_client(server->port(), "-tls1_2");
  EXPECT_NE(refused.find("alert protocol version"), std::string::npos) << refused;
}

TEST(TlsServer, SaysWhyItCannotUseItsFiles) {
  TestCertificate certificate("IP:127.0.0.1");
  ASSERT_TRUE(certificate.made());
  std::string error;
  ServerOptions options;
  options.tls = ServerTls{(certificate.directory() / "missing.pem").string(), certificate.key(), "1.2", ""};
  EXPECT_FALSE(HttpServer::listen(
      options, [](HttpRequest&&, Respond) {}, error));
  EXPECT_NE(error.find("cannot use certificate"), std::string::npos) << error;

  options.tls = ServerTls{certificate.cert(), certificate.cert(), "1.2", ""};  // a certificate is not a key
  EXPECT_FALSE(HttpServer::listen(
      options, [](HttpRequest&&, Respond) {}, error));
  EXPECT_NE(error.find("cannot use private key"), std::string::npos) << error;

  options.tls = ServerTls{certificate.cert(), certificate.key(), "1.4", ""};
  EXPECT_FALSE(HttpServer::listen(
      options, [](HttpRequest&&, Respond) {}, error));
  EXPECT_NE(error.find("unknown TLS version"), std::string::npos) << error;

  options.tls = ServerTls{certificate.cert(), certificate.key(), "1.2", "NO-SUCH-CIPHER"};
  EXPECT_FALSE(HttpServer::listen(
      options, [](HttpRequest&&, Respond) {}, error));
  EXPECT_NE(error.find("no usable cipher suite"), std::string::npos) << error;
}

}  // namespace
}  // namespace hookd::net

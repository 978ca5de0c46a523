// The proxy settings, and the HTTP client tunnelling through a CONNECT proxy on loopback.
#include "net/proxy.h"

#include <gtest/gtest.h>

#include <future>

#include "net/http_client.h"
#include "support/connect_proxy.h"
#include "support/loopback.h"

namespace hookd::net {
namespace {

using namespace std::chrono_literals;
using hookd::testing::ConnectProxy;
using hookd::testing::Receiver;

ProxySettings proxy_at(const std::string& url) {
  std::string error;
  auto parsed = ProxySettings::parse(url, error);
  EXPECT_TRUE(parsed) << error;
  return parsed.value_or(ProxySettings{});
}

TEST(ProxySettings, ParsesTheProxyUrl) {
  const auto proxy = proxy_at("http://hookd:p%40ss@Proxy.Internal:3128");
  EXPECT_EQ(proxy.host, "proxy.internal");
  EXPECT_EQ(proxy.port, 3128);
  EXPECT_EQ(proxy.authorization, "Basic aG9va2Q6cEBzcw==");  // hookd:p@ss
  EXPECT_EQ(proxy.address(), "proxy.internal:3128");
  EXPECT_EQ(proxy_at("http://[::1]:8080/").address(), "[::1]:8080");
  EXPECT_EQ(proxy_at("http://proxy").port, 80);
  EXPECT_TRUE(proxy_at("http://proxy").authorization.empty());

  std::string error;
  EXPECT_FALSE(ProxySettings::parse("proxy.internal:3128", error));
  EXPECT_FALSE(ProxySettings::parse("https://proxy.internal:3128", error));
  EXPECT_NE(error.find("http://"), std::string::npos);
  EXPECT_FALSE(ProxySettings::parse("http://proxy.internal:3128/path", error));
  EXPECT_FALSE(ProxySettings::parse("http://proxy.internal:0", error));
}

TEST(ProxySettings, NoProxyMatchesHostsAndTheirSubdomains) {
  ProxySettings proxy = proxy_at("http://proxy:3128");
  proxy.no_proxy = {"example.com", ".corp.internal", "10.0.0.5"};
  EXPECT_TRUE(proxy.bypasses("example.com"));
  EXPECT_TRUE(proxy.bypasses("API.example.com"));
  EXPECT_FALSE(proxy.bypasses("notexample.com"));
  EXPECT_FALSE(proxy.bypasses("example.com.evil.net"));
  EXPECT_TRUE(proxy.bypasses("hooks.corp.internal"));
  EXPECT_TRUE(proxy.bypasses("corp.internal"));
  EXPECT_TRUE(proxy.bypasses("10.0.0.5"));
  EXPECT_FALSE(proxy.bypasses("10.0.0.50"));
  proxy.no_proxy = {"*"};
  EXPECT_TRUE(proxy.bypasses("anything.example"));
}

class ProxiedClientTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.start(); }
  void TearDown() override {
    client_.reset();
    loop_.stop();
  }

  void make_client(ProxySettings proxy, AddressFilter filter = {}) {
    ClientOptions options;
    options.proxy = std::move(proxy);
    options.filter = std::move(filter);
    client_ = std::make_unique<HttpClient>(loop_, options);
  }

  OutboundResponse post(const std::string& url) {
    OutboundRequest request;
    request.url = url;
    request.body = std::make_shared<const std::string>("{\"via\":\"proxy\"}");
    request.timeout = 5s;
    std::promise<OutboundResponse> answer;
    client_->send(std::move(request), [&](OutboundResponse response) { answer.set_value(std::move(response)); });
    return answer.get_future().get();
  }

  EventLoop loop_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ProxiedClientTest, TunnelsToTheCheckedAddressAndReusesTheTunnel) {
  Receiver receiver;
  ConnectProxy proxy("Basic aG9va2Q6c2VjcmV0");  // hookd:secret
  std::vector<std::string> checked;
  make_client(proxy_at("http://hookd:secret@127.0.0.1:" + proxy.url().substr(proxy.url().rfind(':') + 1)),
              [&](const std::string& address) {
                checked.push_back(address);
                return std::string();
              });
  // A name, resolved by hookd: the proxy is asked for the address hookd checked, not for the name.
  const std::string url = "http://localhost:" + receiver.url().substr(receiver.url().rfind(':') + 1);
  const auto first = post(url);
  EXPECT_EQ(first.failure, SendFailure::none) << first.error;
  EXPECT_EQ(first.status, 204);
  EXPECT_EQ(post(url).status, 204);
  ASSERT_EQ(receiver.requests().size(), 2u);
  EXPECT_EQ(receiver.requests()[0].body, "{\"via\":\"proxy\"}");
  // One tunnel to the receiver's address (after one to ::1, which this proxy refuses, if localhost
  // resolves to it first): the second request went through the same kept-alive tunnel.
  std::vector<ConnectProxy::Tunnel> to_receiver;
  for (const auto& tunnel : proxy.tunnels()) {
    EXPECT_EQ(tunnel.authorization, "Basic aG9va2Q6c2VjcmV0");
    if (tunnel.target.rfind("127.0.0.1:", 0) == 0) to_receiver.push_back(tunnel);
  }
  EXPECT_EQ(to_receiver.size(), 1u);
  EXPECT_NE(std::find(checked.begin(), checked.end(), "127.0.0.1"), checked.end());
}

TEST_F(ProxiedClientTest, NoProxyHostsGoDirectly) {
  Receiver receiver;
  ConnectProxy proxy;
  ProxySettings settings = proxy_at(proxy.url());
  settings.no_proxy = {"127.0.0.1"};
  make_client(settings);
  EXPECT_EQ(post(receiver.url()).status, 204);
  EXPECT_EQ(proxy.connections(), 0u);
}

TEST_F(ProxiedClientTest, AProxyRefusalIsAFailedAttemptThatSaysWhy) {
  Receiver receiver;
  ConnectProxy proxy("Basic c29tZW9uZTplbHNl");
  make_client(proxy_at(proxy.url()));  // no credentials
  const auto response = post(receiver.url());
  EXPECT_EQ(response.failure, SendFailure::connect);
  EXPECT_NE(response.error.find("407"), std::string::npos) << response.error;
  EXPECT_EQ(receiver.count(), 0u);
}

TEST_F(ProxiedClientTest, RefusedAddressesNeverReachTheProxy) {
  Receiver receiver;
  ConnectProxy proxy;
  make_client(proxy_at(proxy.url()), [](const std::string& address) { return "refused " + address; });
  const auto response = post(receiver.url());
  EXPECT_EQ(response.failure, SendFailure::refused);
  EXPECT_EQ(proxy.connections(), 0u);
}

TEST_F(ProxiedClientTest, AnUnreachableProxyFailsTheAttempt) {
  std::string closed;
  {
    ConnectProxy gone;
    closed = gone.url();
  }
  Receiver receiver;
  make_client(proxy_at(closed));
  const auto response = post(receiver.url());
  EXPECT_EQ(response.failure, SendFailure::connect);
  EXPECT_NE(response.error.find("the proxy"), std::string::npos) << response.error;
}

}  // namespace
}  // namespace hookd::net

#include "net/url.h"

#include <gtest/gtest.h>

namespace hookd::net {
namespace {

TEST(HttpUrl, SplitsWhatTheClientNeeds) {
  std::string error;
  auto url = parse_http_url("https://Example.com/hooks/in?a=1&b=%20", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "Example.com");
  EXPECT_FALSE(url->host_is_ip);
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/hooks/in?a=1&b=%20");
  EXPECT_EQ(url->host_header, "Example.com");

  auto local = parse_http_url("http://127.0.0.1:8080", error);
  ASSERT_TRUE(local);
  EXPECT_TRUE(local->host_is_ip);
  EXPECT_EQ(local->target, "/");
  EXPECT_EQ(local->host_header, "127.0.0.1:8080");
  EXPECT_EQ(local->origin(), "http://127.0.0.1:8080");

  auto v6 = parse_http_url("http://[::1]:9000/x", error);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:9000");
}

TEST(HttpUrl, RejectsWhatCannotBeAnEndpoint) {
  std::string error;
  for (const char* text :
       {"", "example.com/hook", "ftp://example.com/", "http://", "http:///path", "http://user:pass@example.com/",
        "http://example.com:0/", "http://example.com:99999/", "javascript:alert(1)", "http://exa mple.com/"}) {
    EXPECT_FALSE(parse_http_url(text, error)) << text;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace hookd::net

#include "server/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/ids.h"

namespace hookd::server {
namespace {

using namespace std::chrono_literals;

std::string write_file(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("hookd-config-" + core::new_id("") + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ServerConfig, LaterSourcesWin) {
  ServerConfig config;
  const std::string path = write_file(R"(
listen = "0.0.0.0:9000"
data_dir = "/var/lib/hookd"
log_format = "json"
[delivery]
timeout = "5s"
retry_schedule = ["1s", "2m", "3h"]
endpoint_concurrency = 4
)");
  ASSERT_TRUE(apply_toml_file(config, path));
  EXPECT_EQ(config.listen(), "0.0.0.0:9000");
  EXPECT_EQ(config.delivery.request.timeout, 5s);
  EXPECT_EQ(config.delivery.schedule.delays, (std::vector<std::chrono::microseconds>{1s, 2min, 3h}));
  EXPECT_EQ(config.delivery.endpoint_concurrency, 4);

  ASSERT_TRUE(apply_environment(
      config, {{"HOOKD_LISTEN", "127.0.0.1:9001"}, {"HOOKD_DELIVERY_TIMEOUT", "250ms"}, {"UNRELATED", "x"}}));
  EXPECT_EQ(config.port, 9001);
  EXPECT_EQ(config.delivery.request.timeout, 250ms);
  EXPECT_EQ(config.data_dir, "/var/lib/hookd");

  ASSERT_TRUE(apply_setting(config, "listen", "[::1]:0"));
  EXPECT_EQ(config.listen_address, "::1");
  EXPECT_EQ(config.listen(), "[::1]:0");
  std::filesystem::remove(path);
}

TEST(ServerConfig, ReadsTheMonitoringListener) {
  ServerConfig config;
  EXPECT_TRUE(config.metrics_address.empty());  // none unless asked for
  ASSERT_TRUE(apply_toml(config, "[metrics]\nlisten = \"[::1]:9464\"\n", "test.toml"));
  EXPECT_EQ(config.metrics_address, "::1");
  EXPECT_EQ(config.metrics_port, 9464);
  EXPECT_FALSE(apply_setting(config, "metrics.listen", "9464"));
  ASSERT_TRUE(apply_setting(config, "metrics.listen", ""));
  EXPECT_TRUE(config.metrics_address.empty());
}

TEST(ServerConfig, RejectsUnknownKeysAndBadValues) {
  ServerConfig config;
  const std::string typo = write_file("listne = \"127.0.0.1:1\"\n");
  auto result = apply_toml_file(config, typo);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().detail.find("unknown setting 'listne'"), std::string::npos);
  const std::string broken = write_file("listen = \n");
  auto parse_error = apply_toml_file(config, broken);
  ASSERT_FALSE(parse_error);
  EXPECT_NE(parse_error.error().detail.find(":1:"), std::string::npos) << parse_error.error().detail;
  EXPECT_FALSE(apply_setting(config, "listen", "nowhere"));
  EXPECT_FALSE(apply_setting(config, "listen", "1.2.3.4:99999"));
  EXPECT_FALSE(apply_setting(config, "delivery.timeout", "soon"));
  EXPECT_FALSE(apply_setting(config, "api_workers", "0"));
  EXPECT_FALSE(apply_setting(config, "jwt_secret", "short"));
  EXPECT_FALSE(apply_environment(config, {{"HOOKD_SYNCHRONOUS", "sometimes"}}));
  EXPECT_FALSE(apply_toml_file(config, "/nonexistent/hookd.toml"));
  std::filesystem::remove(typo);
  std::filesystem::remove(broken);
}

TEST(ServerConfig, ReadsTheFailurePolicyAndOperationalWebhooks) {
  ServerConfig config;
  const std::string path = write_file(R"(
endpoint_failure_disable_after = "48h"
[operational_webhooks]
url = "https://ops.example.com/hookd"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
event_types = ["endpoint.disabled", "message.attempt.exhausted"]
)");
  ASSERT_TRUE(apply_toml_file(config, path));
  EXPECT_EQ(config.delivery.failure_disable_after, std::chrono::microseconds(48h));
  EXPECT_EQ(config.operational_webhooks.url, "https://ops.example.com/hookd");
  EXPECT_EQ(config.operational_webhooks.secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_EQ(config.operational_webhooks.event_types,
            (std::vector<std::string>{"endpoint.disabled", "message.attempt.exhausted"}));
  EXPECT_FALSE(apply_setting(config, "operational_webhooks.url", "ops.example.com"));
  EXPECT_FALSE(apply_setting(config, "operational_webhooks.secret", "hunter2"));
  EXPECT_FALSE(apply_setting(config, "endpoint_failure_disable_after", "forever"));

  ASSERT_TRUE(apply_environment(config, {{"HOOKD_DELIVERY_PROXY", "http://egress:secret@10.0.0.1:3128"},
                                         {"HOOKD_DELIVERY_NO_PROXY", "internal.example, .corp"}}));
  ASSERT_TRUE(config.proxy);
  EXPECT_EQ(config.proxy->address(), "10.0.0.1:3128");
  EXPECT_EQ(config.no_proxy, (std::vector<std::string>{"internal.example", ".corp"}));
  EXPECT_FALSE(apply_setting(config, "delivery.proxy", "socks5://10.0.0.1:1080"));
  std::filesystem::remove(path);
}

TEST(ServerConfig, ReadsInboundSources) {
  ::setenv("HOOKD_TEST_GITHUB_SECRET", "from-the-environment", 1);
  ServerConfig config;
  const std::string path = write_file(R"(
[[sources]]
name = "github"
scheme = "github"
secrets = ["env:HOOKD_TEST_GITHUB_SECRET"]
app = "repos"

[[sources]]
name = "partner"
scheme = "hmac"
secrets = ["s3cret"]
app = "partners"
event_type = "partner.event"
dedupe_header = "X-Request-Id"
dedupe_window = "48h"
hmac = { header = "X-Partner-Signature", algorithm = "sha512", encoding = "base64" }
)");
  ASSERT_TRUE(apply_toml_file(config, path));
  ASSERT_EQ(config.sources.size(), 2u);
  EXPECT_EQ(config.sources[0].secrets, (std::vector<std::string>{"from-the-environment"}));
  EXPECT_EQ(config.sources[0].app_id, "repos");
  EXPECT_EQ(config.sources[1].dedupe_window_seconds, 48 * 3600);
  EXPECT_EQ(config.sources[1].hmac.at("algorithm"), "sha512");

  const std::string unset = write_file(R"([[sources]]
name = "x"
scheme = "github"
secrets = ["env:HOOKD_TEST_UNSET_VARIABLE"]
app = "a"
)");
  auto missing = apply_toml_file(config, unset);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().detail.find("HOOKD_TEST_UNSET_VARIABLE"), std::string::npos);
  const std::string misspelt = write_file(R"([[sources]]
name = "x"
scheme = "none"
app = "a"
secret = "s"
)");
  EXPECT_FALSE(apply_toml_file(config, misspelt));
  const std::string unusable = write_file(R"([[sources]]
name = "x"
scheme = "github"
app = "a"
)");
  EXPECT_FALSE(apply_toml_file(config, unusable));  // github without a secret
  for (const auto& file : {path, unset, misspelt, unusable}) std::filesystem::remove(file);
}

TEST(ServerConfig, ParsesDurations) {
  EXPECT_EQ(parse_duration("150ms"), std::chrono::microseconds(150ms));
  EXPECT_EQ(parse_duration("15"), std::chrono::microseconds(15s));
  EXPECT_EQ(parse_duration("2h"), std::chrono::microseconds(2h));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("5 s"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("1d"));
  EXPECT_EQ(parse_duration("87600h"), std::chrono::microseconds(87600h));  // ten years
  EXPECT_FALSE(parse_duration("87601h"));
  EXPECT_FALSE(parse_duration("999999999999h"));  // would overflow microseconds
}

TEST(ServerConfig, CharactersTheTomlLibraryMishandlesAreRefusedFirst) {
  // toml++ 3.3 has undefined behaviour on these (tests/fuzz/config_fuzz): refused, with the way around.
  ServerConfig config;
  auto refused = apply_toml(config, "log_format = \"json\"\n\xd0\x92..\n", "hookd.toml");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("hookd.toml:2: the character U+0412 cannot be read safely"), std::string::npos)
      << refused.error().detail;
  EXPECT_NE(refused.error().detail.find("write it as \\u0412"), std::string::npos) << refused.error().detail;
  EXPECT_FALSE(apply_toml(config, "public_url = \"https://caf\xc3\xa9.example\"\n", "hookd.toml"));
  ASSERT_TRUE(apply_toml(config, "public_url = \"https://caf\\u00e9.example\"\n", "hookd.toml"));
  EXPECT_EQ(config.public_url, "https://caf\xc3\xa9.example");
  // Other text is read as TOML reads it.
  ASSERT_TRUE(
      apply_toml(config, "# \xe6\x97\xa5\xe6\x9c\xac\npublic_url = \"https://\xe6\x97\xa5.example\"\n", "hookd.toml"));
}

}  // namespace
}  // namespace hookd::server

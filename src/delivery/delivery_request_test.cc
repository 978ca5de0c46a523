#include "delivery/delivery_request.h"

#include <gtest/gtest.h>

#include "hookd/sign/standard.h"

namespace hookd::delivery {
namespace {

using namespace std::chrono_literals;

store::Endpoint endpoint_with_keys(std::vector<store::EndpointKey> keys) {
  store::Endpoint endpoint;
  endpoint.id = "ep_1";
  endpoint.url = "https://example.com/hook";
  endpoint.headers = {{"x-custom", "yes"}};
  endpoint.keys = std::move(keys);
  return endpoint;
}

store::DeliveryTask task() {
  store::DeliveryTask out;
  out.msg_id = "msg_1";
  out.endpoint_id = "ep_1";
  out.payload = std::make_shared<const std::string>("{\"a\": 1}");
  return out;
}

TEST(DeliveryRequest, SignsWithEveryKeyNotYetExpired) {
  const auto now = core::from_micros(1700000000000000);
  const auto current = sign::Secret::generate_hmac();
  const auto rotated_out = sign::Secret::generate_hmac();
  const auto long_gone = sign::Secret::generate_hmac();
  const auto config = EndpointConfig::from(endpoint_with_keys(
      {{current.to_string(), std::nullopt}, {rotated_out.to_string(), now + 1h}, {long_gone.to_string(), now - 1s}}));
  const auto request = build_request(*config, task(), now, {});
  EXPECT_EQ(request.url, "https://example.com/hook");
  EXPECT_EQ(*request.body, "{\"a\": 1}");
  EXPECT_EQ(request.headers.find("svix-id"), "msg_1");
  EXPECT_EQ(request.headers.find("svix-timestamp"), "1700000000");
  EXPECT_EQ(request.headers.find("content-type"), "application/json");
  EXPECT_EQ(request.headers.find("x-custom"), "yes");
  const std::string signature(*request.headers.find("svix-signature"));
  EXPECT_EQ(std::count(signature.begin(), signature.end(), ' '), 1);

  const sign::VerifyOptions at_now{sign::kDefaultTolerance, 1700000000};
  for (const auto& key : {current, rotated_out}) {
    EXPECT_TRUE(sign::verify_standard(std::vector<sign::Secret>{key}, request.headers, "{\"a\": 1}", at_now));
  }
  EXPECT_FALSE(sign::verify_standard(std::vector<sign::Secret>{long_gone}, request.headers, "{\"a\": 1}", at_now));
}

TEST(DeliveryRequest, UsesWebhookHeaderNamesWhenAsked) {
  const auto config = EndpointConfig::from(endpoint_with_keys({{sign::Secret::generate_hmac().to_string(), {}}}));
  RequestOptions options;
  options.webhook_headers = true;
  options.user_agent = "hookd/1.2.3";
  const auto request = build_request(*config, task(), core::SystemClock::instance().now(), options);
  EXPECT_TRUE(request.headers.find("webhook-signature"));
  EXPECT_FALSE(request.headers.find("svix-signature"));
  EXPECT_EQ(request.headers.find("user-agent"), "hookd/1.2.3");
}

}  // namespace
}  // namespace hookd::delivery

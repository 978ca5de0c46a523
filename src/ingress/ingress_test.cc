// Receiving: each source scheme lets genuine requests through and stops changed ones, and each
// provider's delivery id, event type and payload are read as routing needs them.
#include <gtest/gtest.h>

#include "core/encoding.h"
#include "hookd/sign/github.h"
#include "hookd/sign/stripe.h"
#include "ingress/request_reading.h"
#include "ingress/source_gate.h"

namespace hookd::ingress {
namespace {

store::Source source(std::string scheme, std::vector<std::string> secrets = {"It's a Secret to Everybody"}) {
  store::Source out;
  out.name = "test";
  out.scheme = std::move(scheme);
  out.secrets = std::move(secrets);
  return out;
}

TEST(SourceGate, GithubSignaturesPassAndChangedBodiesDoNot) {
  auto gate = SourceGate::create(source("github"));
  ASSERT_TRUE(gate);
  const std::string body = R"({"zen":"Keep it logically awesome."})";
  sign::Headers headers{{"X-Hub-Signature-256", sign::sign_github("It's a Secret to Everybody", body)}};
  EXPECT_TRUE(gate->check(headers, body, ""));
  const auto changed = gate->check(headers, body + " ", "");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().reason, sign::Reason::no_matching_signature);
  EXPECT_EQ(gate->check(sign::Headers{}, body, "").error().reason, sign::Reason::missing_header);
}

TEST(SourceGate, StripeChecksTheTimestampToo) {
  auto gate = SourceGate::create(source("stripe", {"whsec_test_secret"}));
  ASSERT_TRUE(gate);
  const std::string body = R"({"id":"evt_1","type":"invoice.paid"})";
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_TRUE(
      gate->check(sign::Headers{{"Stripe-Signature", sign::sign_stripe("whsec_test_secret", now, body)}}, body, ""));
  EXPECT_EQ(gate->check(sign::Headers{{"Stripe-Signature", sign::sign_stripe("whsec_test_secret", now - 3600, body)}},
                        body, "")
                .error()
                .reason,
            sign::Reason::timestamp_too_old);
}

TEST(SourceGate, BasicAuthAndNone) {
  auto basic = SourceGate::create(source("basic", {"hookd:s3cret"}));
  ASSERT_TRUE(basic);
  EXPECT_TRUE(basic->check(sign::Headers{{"Authorization", "Basic aG9va2Q6czNjcmV0"}}, "{}", ""));
  EXPECT_FALSE(basic->check(sign::Headers{{"Authorization", "Basic aG9va2Q6d3Jvbmc="}}, "{}", ""));
  EXPECT_FALSE(basic->check(sign::Headers{}, "{}", ""));
  EXPECT_TRUE(SourceGate::create(source("none", {}))->check(sign::Headers{}, "anything", ""));
}

TEST(SourceGate, RefusesUnusableConfigurations) {
  EXPECT_FALSE(SourceGate::create(source("github", {})));
  EXPECT_FALSE(SourceGate::create(source("carrier-pigeon")));
  EXPECT_FALSE(SourceGate::create(source("basic", {"no-colon"})));
  EXPECT_FALSE(SourceGate::create(source("standard", {"not-a-whsec-key"})));
  auto hmac = source("hmac");
  hmac.hmac = {{"algorithm", "md5"}};
  EXPECT_FALSE(SourceGate::create(hmac));
  EXPECT_TRUE(is_source_scheme("gitlab"));
  EXPECT_TRUE(is_source_scheme("basic"));
  EXPECT_FALSE(is_source_scheme("md5"));
}

TEST(RequestReading, ReadsEachProvidersDeliveryIdAndEventType) {
  const auto github = read_request(
      source("github"), sign::Headers{{"X-GitHub-Delivery", "72d3162e"}, {"X-GitHub-Event", "push"}}, R"({"ref":"x"})");
  EXPECT_EQ(github.dedupe_key, "72d3162e");
  EXPECT_EQ(github.event_type, "push");

  const auto stripe = read_request(source("stripe"), sign::Headers{}, R"({"id":"evt_9","type":"invoice.paid"})");
  EXPECT_EQ(stripe.dedupe_key, "evt_9");
  EXPECT_EQ(stripe.event_type, "invoice.paid");

  const auto shopify =
      read_request(source("shopify"),
                   sign::Headers{{"X-Shopify-Webhook-Id", "b54557e4"}, {"X-Shopify-Topic", "orders/create"}}, "{}");
  EXPECT_EQ(shopify.dedupe_key, "b54557e4");
  EXPECT_EQ(shopify.event_type, "orders.create");

  const auto standard =
      read_request(source("standard"), sign::Headers{{"webhook-id", "msg_1"}}, R"({"type":"user.created"})");
  EXPECT_EQ(standard.dedupe_key, "msg_1");
  EXPECT_EQ(standard.event_type, "user.created");

  const auto gitlab = read_request(source("gitlab"), sign::Headers{{"X-Gitlab-Event-UUID", "u-1"}},
                                   R"({"object_kind":"merge_request"})");
  EXPECT_EQ(gitlab.dedupe_key, "u-1");
  EXPECT_EQ(gitlab.event_type, "merge_request");

  const auto plain = read_request(source("hmac"), sign::Headers{}, "[1,2]");
  EXPECT_FALSE(plain.dedupe_key);
  EXPECT_EQ(plain.event_type, "inbound");
}

TEST(RequestReading, ConfiguredKeysAndTypesWin) {
  auto configured = source("github");
  configured.dedupe_field = "data.object.id";
  configured.event_type = "github.any";
  const auto reading =
      read_request(configured, sign::Headers{{"X-GitHub-Delivery", "ignored"}}, R"({"data":{"object":{"id":42}}})");
  EXPECT_EQ(reading.dedupe_key, "42");
  EXPECT_EQ(reading.event_type, "github.any");
  configured.dedupe_field.reset();
  configured.dedupe_header = "X-Request-Id";
  EXPECT_EQ(read_request(configured, sign::Headers{{"x-request-id", "r-7"}}, "{}").dedupe_key, "r-7");

  // Keys that are not text, or too long to keep, are kept as their digest: still one per delivery id.
  const auto raw = read_request(configured, sign::Headers{{"x-request-id", "caf\xe9"}}, "{}").dedupe_key;
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->rfind("sha256:", 0), 0u);
  EXPECT_EQ(raw->size(), 7u + 64u);
  const auto long_key = read_request(configured, sign::Headers{{"x-request-id", std::string(300, 'k')}}, "{}");
  EXPECT_EQ(long_key.dedupe_key->rfind("sha256:", 0), 0u);
  EXPECT_NE(long_key.dedupe_key,
            read_request(configured, sign::Headers{{"x-request-id", std::string(299, 'k') + "j"}}, "{}").dedupe_key);
  configured.dedupe_header.reset();
  configured.dedupe_field = "id";
  const auto nul = read_request(configured, sign::Headers{}, R"({"id":"evt\u0000"})").dedupe_key;
  EXPECT_EQ(nul->rfind("sha256:", 0), 0u);
}

TEST(RequestReading, PayloadsAreKeptOrWrapped) {
  const std::string object = "{ \"b\":1,\n \"a\":2 }";
  EXPECT_EQ(read_request(source("none"), sign::Headers{}, object).payload, object);
  const auto form = read_request(source("twilio"), sign::Headers{{"Content-Type", "application/x-www-form-urlencoded"}},
                                 "Body=hi&From=%2B1555");
  EXPECT_EQ(form.payload, R"({"contentType":"application/x-www-form-urlencoded","body":"Body=hi&From=%2B1555"})");
  const auto binary = read_request(source("none"), sign::Headers{}, std::string("\xff\x00", 2));
  EXPECT_EQ(binary.payload, R"({"contentType":"","bodyBase64":"/wA="})");
  // Overlong forms and surrogates are not UTF-8 (found by request_reading_fuzz).
  EXPECT_FALSE(core::is_utf8("\xc0\xb4"));
  EXPECT_FALSE(core::is_utf8("\xed\xa0\x80"));
  EXPECT_TRUE(core::is_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
}

TEST(RequestReading, SlacksUrlVerificationIsRecognised) {
  const auto reading =
      read_request(source("slack"), sign::Headers{},
                   R"({"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})");
  EXPECT_EQ(reading.slack_challenge, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  EXPECT_FALSE(read_request(source("github"), sign::Headers{}, R"({"type":"url_verification","challenge":"x"})")
                   .slack_challenge);
}

TEST(RequestReading, EventTypeNamesAreMadeValid) {
  EXPECT_EQ(event_type_name("Push Hook"), "Push.Hook");
  EXPECT_EQ(event_type_name("orders/create"), "orders.create");
  EXPECT_FALSE(event_type_name("///"));
  EXPECT_EQ(event_type_name(std::string(300, 'a'))->size(), 256u);
}

}  // namespace
}  // namespace hookd::ingress

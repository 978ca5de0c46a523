// The provider schemes: each accepts what the provider sends and rejects a changed byte.
#include <gtest/gtest.h>

#include "core/encoding.h"
#include "hookd/sign/github.h"
#include "hookd/sign/gitlab.h"
#include "hookd/sign/hmac.h"
#include "hookd/sign/shopify.h"
#include "hookd/sign/slack.h"
#include "hookd/sign/stripe.h"
#include "hookd/sign/twilio.h"

namespace hookd::sign {
namespace {

Reason failure(const Status& status) { return status.error().reason; }

std::string flip_last(std::string text) {
  text.back() = text.back() == '0' ? '1' : '0';
  return text;
}

TEST(GitHub, VerifiesSha256AndRejectsChanges) {
  const std::string body = R"({"action":"opened"})";
  const std::string signature = sign_github("s3cret", body);
  EXPECT_TRUE(signature.starts_with("sha256="));
  EXPECT_TRUE(verify_github("s3cret", Headers{{"x-hub-signature-256", signature}}, body));
  EXPECT_EQ(failure(verify_github("s3cret", Headers{{"X-Hub-Signature-256", signature}}, body + " ")),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_github("s3creT", Headers{{"X-Hub-Signature-256", signature}}, body)),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_github("s3cret", Headers{{"X-Hub-Signature-256", flip_last(signature)}}, body)),
            Reason::no_matching_signature);
}

TEST(GitHub, AcceptsUpperCaseHexAndTheLegacySha1Header) {
  const std::string body = "payload";
  std::string upper = sign_github("key", body);
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(verify_github("key", Headers{{"X-Hub-Signature-256", upper}}, body));

  const HmacScheme sha1{"X-Hub-Signature", HmacAlgorithm::sha1, SignatureEncoding::hex, "sha1="};
  EXPECT_TRUE(verify_github("key", Headers{{"X-Hub-Signature", sign_hmac(sha1, "key", body)}}, body));
  // When both are present, the SHA-256 header decides.
  EXPECT_EQ(failure(verify_github(
                "key", Headers{{"X-Hub-Signature-256", "sha256=00"}, {"X-Hub-Signature", sign_hmac(sha1, "key", body)}},
                body)),
            Reason::no_matching_signature);
}

TEST(GitHub, ExplainsMalformedHeaders) {
  EXPECT_EQ(failure(verify_github("key", Headers{}, "x")), Reason::missing_header);
  EXPECT_EQ(failure(verify_github("key", Headers{{"X-Hub-Signature-256", "sha1=abcd"}}, "x")),
            Reason::malformed_header);
  EXPECT_EQ(failure(verify_github("key", Headers{{"X-Hub-Signature-256", "sha256=xyz"}}, "x")),
            Reason::malformed_header);
  EXPECT_EQ(failure(verify_github("key", Headers{{"X-Hub-Signature-256", "sha256=" + std::string(9000, 'a')}}, "x")),
            Reason::malformed_header);
  EXPECT_EQ(failure(verify_github("", Headers{{"X-Hub-Signature-256", sign_github("", "x")}}, "x")),
            Reason::malformed_secret);
}

TEST(Stripe, VerifiesAnyV1AndIgnoresV0) {
  const std::string body = R"({"id":"evt_1"})";
  const std::string good = sign_stripe("whsec_abc", 1700000000, body);
  const std::string v1 = good.substr(good.find("v1="));
  const std::string header = "t=1700000000,v0=deadbeef,v1=" + std::string(64, '0') + "," + v1;
  const VerifyOptions now{kDefaultTolerance, 1700000100};
  EXPECT_TRUE(verify_stripe("whsec_abc", header, body, now));
  EXPECT_EQ(failure(verify_stripe("whsec_abd", header, body, now)), Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", header, body + "x", now)), Reason::no_matching_signature);
}

TEST(Stripe, ChecksTimestampAndSyntax) {
  const std::string body = "{}";
  const std::string header = sign_stripe("whsec_abc", 1700000000, body);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", header, body, {kDefaultTolerance, 1700000301})),
            Reason::timestamp_too_old);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", header, body, {kDefaultTolerance, 1699999699})),
            Reason::timestamp_too_new);
  EXPECT_TRUE(verify_stripe("whsec_abc", header, body, {std::chrono::seconds(0), 1}));  // tolerance off
  const VerifyOptions now{kDefaultTolerance, 1700000000};
  EXPECT_EQ(failure(verify_stripe("whsec_abc", "v1=abcd", body, now)), Reason::malformed_header);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", "t=1700000000,garbage", body, now)), Reason::malformed_header);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", "t=17000x0000,v1=ab", body, now)), Reason::malformed_timestamp);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", "t=1700000000", body, now)), Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_stripe("whsec_abc", Headers{}, body, now)), Reason::missing_header);
}

TEST(Shopify, VerifiesBase64Hmac) {
  const std::string body = R"({"id":1})";
  const std::string signature = sign_shopify("hush", body);
  EXPECT_TRUE(verify_shopify("hush", Headers{{"X-Shopify-Hmac-SHA256", signature}}, body));
  EXPECT_EQ(failure(verify_shopify("hush", Headers{{"X-Shopify-Hmac-Sha256", signature}}, body + " ")),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_shopify("hush", Headers{{"X-Shopify-Hmac-Sha256", "***"}}, body)), Reason::malformed_header);
}

TEST(Slack, VerifiesWithinTolerance) {
  const std::string body = "token=x&team_id=T1";
  const Headers headers{{"X-Slack-Request-Timestamp", "1531420618"},
                        {"X-Slack-Signature", sign_slack("secret", 1531420618, body)}};
  EXPECT_TRUE(verify_slack("secret", headers, body, {kDefaultTolerance, 1531420618}));
  EXPECT_EQ(failure(verify_slack("secret", headers, body, {kDefaultTolerance, 1531420619 + 300})),
            Reason::timestamp_too_old);
  EXPECT_EQ(failure(verify_slack("secret", headers, body + "&", {kDefaultTolerance, 1531420618})),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_slack("secret", Headers{{"X-Slack-Signature", "v0=00"}}, body)), Reason::missing_header);
}

TEST(GitLab, ComparesTheToken) {
  EXPECT_TRUE(verify_gitlab("tok", Headers{{"X-Gitlab-Token", "tok"}}));
  EXPECT_EQ(failure(verify_gitlab("tok", Headers{{"X-Gitlab-Token", "tok "}})), Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_gitlab("tok", Headers{})), Reason::missing_header);
  EXPECT_EQ(failure(verify_gitlab("", Headers{{"X-Gitlab-Token", ""}})), Reason::malformed_secret);
}

TEST(Twilio, VerifiesFormParametersWithAndWithoutDefaultPort) {
  const FormParams params{{"To", "+18005551212"}, {"CallSid", "CA1"}, {"Body", "héllo & bye"}};
  const std::string body = "To=%2B18005551212&CallSid=CA1&Body=h%C3%A9llo+%26+bye";
  const std::string signature = sign_twilio("token", "https://example.com/hook?x=1", params);
  const Headers headers{{"X-Twilio-Signature", signature}};
  EXPECT_TRUE(verify_twilio("token", "https://example.com/hook?x=1", headers, body));
  EXPECT_TRUE(verify_twilio("token", "https://example.com:443/hook?x=1", headers, body));

  const Headers with_port{{"X-Twilio-Signature", sign_twilio("token", "https://example.com:443/hook?x=1", params)}};
  EXPECT_TRUE(verify_twilio("token", "https://example.com/hook?x=1", with_port, body));

  EXPECT_EQ(failure(verify_twilio("token", "https://example.com/hook?x=2", headers, body)),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_twilio("token", "https://example.com/hook?x=1", headers, body + "&a=b")),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_twilio("token", "https://example.com/hook?x=1", headers, "a=%zz")), Reason::malformed_body);
  EXPECT_EQ(failure(verify_twilio("token", "", headers, body)), Reason::missing_header);
}

TEST(Twilio, VerifiesJsonBodiesThroughBodySha256) {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string url =
      "https://example.com/hook?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  const Headers headers{{"X-Twilio-Signature", sign_twilio("token", url, {})}};
  EXPECT_TRUE(verify_twilio("token", url, headers, body));
  EXPECT_EQ(failure(verify_twilio("token", url, headers, body + " ")), Reason::body_mismatch);
}

TEST(Twilio, ParsesFormBodies) {
  auto params = parse_form("a=1&b=&c&&d=x+y%21");
  ASSERT_TRUE(params);
  const FormParams expected{{"a", "1"}, {"b", ""}, {"c", ""}, {"d", "x y!"}};
  EXPECT_EQ(*params, expected);
  EXPECT_FALSE(parse_form("a=%4"));
  EXPECT_FALSE(parse_form("a=%"));
}

TEST(GenericHmac, SupportsEveryAlgorithmEncodingAndPrefix) {
  for (auto algorithm : {HmacAlgorithm::sha1, HmacAlgorithm::sha256, HmacAlgorithm::sha512}) {
    for (auto encoding : {SignatureEncoding::hex, SignatureEncoding::base64}) {
      const HmacScheme scheme{"X-Sig", algorithm, encoding, "alg="};
      const std::string value = sign_hmac(scheme, "k", "body");
      EXPECT_TRUE(value.starts_with("alg="));
      EXPECT_TRUE(verify_hmac(scheme, "k", Headers{{"x-sig", value}}, "body"));
      EXPECT_EQ(failure(verify_hmac(scheme, "k", Headers{{"X-Sig", value}}, "bodY")), Reason::no_matching_signature);
      EXPECT_EQ(failure(verify_hmac(scheme, "k", Headers{{"X-Sig", value.substr(4)}}, "body")),
                Reason::malformed_header);
    }
  }
  EXPECT_EQ(sign_hmac({"X", HmacAlgorithm::sha256, SignatureEncoding::hex, ""}, "It's a Secret to Everybody",
                      "Hello, World!"),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  EXPECT_EQ(parse_hmac_algorithm("SHA512"), HmacAlgorithm::sha512);
  EXPECT_FALSE(parse_hmac_algorithm("md5"));
  EXPECT_EQ(parse_signature_encoding("base64"), SignatureEncoding::base64);
}

}  // namespace
}  // namespace hookd::sign

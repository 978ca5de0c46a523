#include "api/jwt.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace hookd::api {
namespace {

using namespace std::chrono_literals;
const core::TimePoint kNow = core::from_micros(1700000000000000);

TEST(Jwt, RoundTripsOrganizationAndApplicationTokens) {
  const std::string org_token = issue_token({"org_1", std::nullopt, std::nullopt}, "secret", kNow);
  auto org = verify_token(org_token, "secret", kNow);
  ASSERT_TRUE(org) << org.error().detail;
  EXPECT_EQ(org->subject, "org_1");
  EXPECT_FALSE(org->org);

  const std::string app_token = issue_token({"app_1", "org_1", kNow + 1h}, "secret", kNow);
  auto app = verify_token(app_token, "secret", kNow);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->org, "org_1");
  EXPECT_EQ(verify_token(app_token, "secret", kNow + 2h).error().code, core::ErrorCode::unauthorized);
}

TEST(Jwt, RejectsForgeriesAndAlgNone) {
  const std::string token = issue_token({"org_1", std::nullopt, std::nullopt}, "secret", kNow);
  EXPECT_FALSE(verify_token(token, "other secret", kNow));
  std::string tampered = token;
  tampered[tampered.find('.') + 3] ^= 1;
  EXPECT_FALSE(verify_token(tampered, "secret", kNow));
  // {"alg":"none"} with the same claims and no signature.
  const std::string claims = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  const std::string none = core::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + claims + ".";
  EXPECT_FALSE(verify_token(none, "secret", kNow));
  const std::string hs512 = core::base64url_encode(R"({"alg":"HS512","typ":"JWT"})") + "." + claims + ".x";
  EXPECT_FALSE(verify_token(hs512, "secret", kNow));
  for (const char* garbage : {"", "abc", "a.b", "a.b.c.d", "...", "!!.!!.!!"}) {
    EXPECT_FALSE(verify_token(garbage, "secret", kNow)) << garbage;
  }
}

TEST(Jwt, ExplainsWhenTheSecretIsSentAsTheToken) {
  auto result = verify_token("my-jwt-secret", "my-jwt-secret", kNow);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().detail.find("signing secret"), std::string::npos);
}

}  // namespace
}  // namespace hookd::api

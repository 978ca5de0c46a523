#include "hookd/sign/scheme.h"

#include <gtest/gtest.h>

#include "hookd/sign/github.h"
#include "hookd/sign/standard.h"

namespace hookd::sign {
namespace {

TEST(Scheme, ParsesEveryNameBothWays) {
  for (auto scheme : {Scheme::standard, Scheme::svix, Scheme::github, Scheme::stripe, Scheme::shopify, Scheme::slack,
                      Scheme::gitlab, Scheme::twilio, Scheme::hmac}) {
    EXPECT_EQ(parse_scheme(scheme_name(scheme)), scheme);
  }
  EXPECT_EQ(parse_scheme("GitHub"), Scheme::github);
  EXPECT_FALSE(parse_scheme("bitbucket"));
}

TEST(Verifier, RefusesUnusableKeys) {
  EXPECT_EQ(Verifier::create({Scheme::github, {}, {}, {}}).error().reason, Reason::malformed_secret);
  EXPECT_EQ(Verifier::create({Scheme::github, {""}, {}, {}}).error().reason, Reason::malformed_secret);
  EXPECT_EQ(Verifier::create({Scheme::standard, {"whsec_short"}, {}, {}}).error().reason, Reason::malformed_secret);
}

TEST(Verifier, AcceptsAnyKeyOfARotation) {
  auto verifier = Verifier::create({Scheme::github, {"old", "new"}, {}, {}});
  ASSERT_TRUE(verifier);
  const Headers signed_with_new{{"X-Hub-Signature-256", sign_github("new", "body")}};
  EXPECT_TRUE(verifier->verify({signed_with_new, "body", ""}));
  const Headers signed_with_other{{"X-Hub-Signature-256", sign_github("other", "body")}};
  EXPECT_EQ(verifier->verify({signed_with_other, "body", ""}).error().reason, Reason::no_matching_signature);
}

TEST(Verifier, VerifiesStandardWebhooks) {
  const Secret key = Secret::generate_hmac();
  auto verifier = Verifier::create({Scheme::svix, {key.to_string()}, {kDefaultTolerance, 1000}, {}});
  ASSERT_TRUE(verifier);
  const Headers headers{{"svix-id", "msg_1"},
                        {"svix-timestamp", "1000"},
                        {"svix-signature", sign_standard(key, "msg_1", 1000, "{}").value()}};
  EXPECT_TRUE(verifier->verify({headers, "{}", ""}));
  EXPECT_FALSE(verifier->verify({headers, "{ }", ""}));
}

}  // namespace
}  // namespace hookd::sign

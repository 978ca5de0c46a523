#include "hookd/sign/secret.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace hookd::sign {
namespace {

std::string whsec_of_length(std::size_t bytes) { return "whsec_" + core::base64_encode(std::string(bytes, 'k')); }

TEST(Secret, ParsesWhsecAndBareBase64Alike) {
  auto prefixed = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  auto bare = Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(prefixed);
  ASSERT_TRUE(bare);
  EXPECT_EQ(prefixed->type(), KeyType::hmac);
  EXPECT_EQ(prefixed->key_bytes(), bare->key_bytes());
  EXPECT_EQ(prefixed->key_bytes().size(), 24u);
  EXPECT_EQ(bare->to_string(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
}

TEST(Secret, BoundsHmacSecretLength) {
  EXPECT_TRUE(Secret::parse(whsec_of_length(kMinHmacSecretBytes)));
  EXPECT_TRUE(Secret::parse(whsec_of_length(kMaxHmacSecretBytes)));
  for (std::size_t bytes : {std::size_t{0}, std::size_t{1}, kMinHmacSecretBytes - 1, kMaxHmacSecretBytes + 1}) {
    auto parsed = Secret::parse(whsec_of_length(bytes));
    ASSERT_FALSE(parsed) << bytes;
    EXPECT_EQ(parsed.error().reason, Reason::malformed_secret);
  }
}

TEST(Secret, RejectsBrokenText) {
  for (const char* text : {"", "whsec_", "whsec_not*base64*at*all*!!!!!!!!!!", "whsk_", "whpk_AAAA", "whsk_%%%%"}) {
    auto parsed = Secret::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().reason, Reason::malformed_secret);
    EXPECT_EQ(parsed.error().detail.find("not*base64"), std::string::npos) << "the detail must not echo the key";
  }
}

TEST(Secret, AcceptsBothWhskForms) {
  const std::string seed(32, '\x01');
  auto short_form = Secret::parse("whsk_" + core::base64_encode(seed));
  ASSERT_TRUE(short_form);
  const std::string public_key = short_form->key_bytes();
  auto long_form = Secret::parse("whsk_" + core::base64_encode(seed + public_key));
  ASSERT_TRUE(long_form);
  EXPECT_EQ(long_form->key_bytes(), public_key);
  EXPECT_EQ(short_form->to_string(), long_form->to_string());

  auto mismatched = Secret::parse("whsk_" + core::base64_encode(seed + std::string(32, '\x02')));
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error().reason, Reason::malformed_secret);
}

TEST(Secret, GeneratesDistinctRoundTrippingKeys) {
  const Secret a = Secret::generate_hmac();
  const Secret b = Secret::generate_hmac();
  EXPECT_EQ(a.type(), KeyType::hmac);
  EXPECT_EQ(a.key_bytes().size(), 24u);
  EXPECT_NE(a.key_bytes(), b.key_bytes());
  EXPECT_TRUE(a.to_string().starts_with("whsec_"));
  auto reparsed = Secret::parse(a.to_string());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->key_bytes(), a.key_bytes());
}

TEST(Secret, GeneratesEd25519Pairs) {
  const Secret key = Secret::generate_ed25519();
  EXPECT_EQ(key.type(), KeyType::ed25519_private);
  EXPECT_TRUE(key.can_sign());
  const Secret public_key = key.public_key();
  EXPECT_EQ(public_key.type(), KeyType::ed25519_public);
  EXPECT_FALSE(public_key.can_sign());
  EXPECT_TRUE(key.to_string().starts_with("whsk_"));
  EXPECT_TRUE(public_key.to_string().starts_with("whpk_"));

  auto reparsed = Secret::parse(key.to_string());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->public_key().to_string(), public_key.to_string());
  auto reparsed_public = Secret::parse(public_key.to_string());
  ASSERT_TRUE(reparsed_public);
  EXPECT_EQ(reparsed_public->key_bytes(), public_key.key_bytes());
}

}  // namespace
}  // namespace hookd::sign

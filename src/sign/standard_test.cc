#include "hookd/sign/standard.h"

#include <gtest/gtest.h>

#include <vector>

namespace hookd::sign {
namespace {

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kTimestampText = "1614265330";
constexpr std::string_view kPayload = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

VerifyOptions at(std::int64_t now) { return VerifyOptions{kDefaultTolerance, now}; }

std::vector<Secret> keys(std::initializer_list<std::string_view> texts) {
  std::vector<Secret> out;
  for (auto text : texts) out.push_back(Secret::parse(text).value());
  return out;
}

Reason failure(const Status& status) { return status.error().reason; }

TEST(StandardWebhooks, SignsTheKnownAnswer) {
  auto signature = sign_standard(Secret::parse(kSecret).value(), kId, kTimestamp, kPayload);
  ASSERT_TRUE(signature);
  EXPECT_EQ(*signature, kSignature);
}

TEST(StandardWebhooks, VerifiesWebhookAndSvixHeadersCaseInsensitively) {
  const auto secrets = keys({kSecret});
  const Headers webhook{{"Webhook-Id", std::string(kId)},
                        {"WEBHOOK-TIMESTAMP", std::string(kTimestampText)},
                        {"webhook-signature", std::string(kSignature)}};
  const Headers svix{{"svix-id", std::string(kId)},
                     {"Svix-Timestamp", std::string(kTimestampText)},
                     {"SVIX-SIGNATURE", std::string(kSignature)}};
  EXPECT_TRUE(verify_standard(secrets, webhook, kPayload, at(kTimestamp)));
  EXPECT_TRUE(verify_standard(secrets, svix, kPayload, at(kTimestamp)));
}

TEST(StandardWebhooks, AnyValidSignatureInTheHeaderPasses) {
  const auto secrets = keys({kSecret});
  const std::string header = "v1,Zm9vYmFy v2,whatever garbage " + std::string(kSignature);
  EXPECT_TRUE(verify_standard(secrets, kId, kTimestampText, header, kPayload, at(kTimestamp)));
}

TEST(StandardWebhooks, AnyKeyOfARotationVerifies) {
  const auto old_key = Secret::generate_hmac();
  const auto new_key = Secret::generate_hmac();
  const std::vector<Secret> both{old_key, new_key};
  auto header = sign_standard(std::span<const Secret>(both), kId, kTimestamp, kPayload);
  ASSERT_TRUE(header);
  EXPECT_NE(header->find(' '), std::string::npos);
  for (const Secret& key : both) {
    EXPECT_TRUE(verify_standard(std::vector<Secret>{key}, kId, kTimestampText, *header, kPayload, at(kTimestamp)));
  }
  const auto stranger = Secret::generate_hmac();
  EXPECT_EQ(
      failure(verify_standard(std::vector<Secret>{stranger}, kId, kTimestampText, *header, kPayload, at(kTimestamp))),
      Reason::no_matching_signature);
}

TEST(StandardWebhooks, RejectsAnyChangedByte) {
  const auto secrets = keys({kSecret});
  std::string payload(kPayload);
  payload[3] ^= 1;
  EXPECT_EQ(failure(verify_standard(secrets, kId, kTimestampText, kSignature, payload, at(kTimestamp))),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_standard(secrets, "msg_p5jXN8AQM9LWM0D4loKWxJeK", kTimestampText, kSignature, kPayload,
                                    at(kTimestamp))),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_standard(secrets, kId, "1614265331", kSignature, kPayload, at(kTimestamp))),
            Reason::no_matching_signature);
  std::string signature(kSignature);
  signature[5] = signature[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(failure(verify_standard(secrets, kId, kTimestampText, signature, kPayload, at(kTimestamp))),
            Reason::no_matching_signature);
}

TEST(StandardWebhooks, EnforcesTheToleranceInBothDirections) {
  const auto secrets = keys({kSecret});
  auto verify_at = [&](std::int64_t now) {
    return verify_standard(secrets, kId, kTimestampText, kSignature, kPayload, at(now));
  };
  EXPECT_TRUE(verify_at(kTimestamp + 300));
  EXPECT_TRUE(verify_at(kTimestamp - 300));
  EXPECT_EQ(failure(verify_at(kTimestamp + 301)), Reason::timestamp_too_old);
  EXPECT_EQ(failure(verify_at(kTimestamp - 301)), Reason::timestamp_too_new);
  const VerifyOptions wide{std::chrono::hours(1), kTimestamp + 3000};
  EXPECT_TRUE(verify_standard(secrets, kId, kTimestampText, kSignature, kPayload, wide));
}

TEST(StandardWebhooks, RejectsMalformedTimestamps) {
  const auto secrets = keys({kSecret});
  for (const char* timestamp :
       {"", "abc", "-1614265330", "1614265330.5", " 1614265330", "1e9", "9999999999999999999"}) {
    EXPECT_EQ(failure(verify_standard(secrets, kId, timestamp, kSignature, kPayload, at(kTimestamp))),
              Reason::malformed_timestamp)
        << timestamp;
  }
}

TEST(StandardWebhooks, NamesTheMissingHeader) {
  const auto secrets = keys({kSecret});
  const Headers no_signature{{"webhook-id", std::string(kId)}, {"webhook-timestamp", std::string(kTimestampText)}};
  auto status = verify_standard(secrets, no_signature, kPayload, at(kTimestamp));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().reason, Reason::missing_header);
  EXPECT_NE(status.error().detail.find("webhook-signature"), std::string::npos);
  EXPECT_EQ(failure(verify_standard(secrets, Headers{}, kPayload, at(kTimestamp))), Reason::missing_header);
}

TEST(StandardWebhooks, RejectsMalformedAndOversizedSignatureHeaders) {
  const auto secrets = keys({kSecret});
  for (const std::string& header : {std::string(""), std::string("   "), std::string("v1"), std::string("v1,"),
                                    std::string(",abc"), std::string(kMaxSignatureHeaderBytes + 1, 'a')}) {
    EXPECT_EQ(failure(verify_standard(secrets, kId, kTimestampText, header, kPayload, at(kTimestamp))),
              Reason::malformed_header)
        << header.substr(0, 20);
  }
}

TEST(StandardWebhooks, Ed25519SignsAndVerifiesWithEitherHalf) {
  const Secret private_key = Secret::generate_ed25519();
  auto signature = sign_standard(private_key, kId, kTimestamp, kPayload);
  ASSERT_TRUE(signature);
  EXPECT_TRUE(signature->starts_with("v1a,"));
  EXPECT_TRUE(verify_standard(std::vector<Secret>{private_key.public_key()}, kId, kTimestampText, *signature, kPayload,
                              at(kTimestamp)));
  EXPECT_TRUE(
      verify_standard(std::vector<Secret>{private_key}, kId, kTimestampText, *signature, kPayload, at(kTimestamp)));
  // An HMAC key never accepts a v1a signature, and another Ed25519 key does not either.
  EXPECT_EQ(failure(verify_standard(keys({kSecret}), kId, kTimestampText, *signature, kPayload, at(kTimestamp))),
            Reason::no_matching_signature);
  EXPECT_EQ(failure(verify_standard(std::vector<Secret>{Secret::generate_ed25519()}, kId, kTimestampText, *signature,
                                    kPayload, at(kTimestamp))),
            Reason::no_matching_signature);
}

TEST(StandardWebhooks, OnlyTheFirstSixteenSignaturesAreTried) {
  const Secret key = Secret::generate_ed25519();
  const auto genuine = sign_standard(key, kId, kTimestamp, kPayload);
  ASSERT_TRUE(genuine);
  const Secret other = Secret::generate_ed25519();
  const auto decoy = sign_standard(other, kId, kTimestamp, kPayload);
  ASSERT_TRUE(decoy);
  auto header_with_genuine_after = [&](int decoys) {
    std::string header;
    for (int i = 0; i < decoys; ++i) header += *decoy + " ";
    return header + *genuine;
  };
  const std::vector<Secret> verifier{key.public_key()};
  EXPECT_TRUE(verify_standard(verifier, kId, kTimestampText, header_with_genuine_after(kMaxSignaturesTried - 1),
                              kPayload, at(kTimestamp)));
  // A header packed with entries (about 170 fit in 16 KiB) costs no more than 16 verifications.
  EXPECT_EQ(failure(verify_standard(verifier, kId, kTimestampText, header_with_genuine_after(kMaxSignaturesTried),
                                    kPayload, at(kTimestamp))),
            Reason::no_matching_signature);
}

TEST(StandardWebhooks, APublicKeyCannotSign) {
  auto signature = sign_standard(Secret::generate_ed25519().public_key(), kId, kTimestamp, kPayload);
  ASSERT_FALSE(signature);
  EXPECT_EQ(signature.error().reason, Reason::malformed_secret);
}

TEST(StandardWebhooks, MixedKeyRotationSignsWithEveryKey) {
  const std::vector<Secret> both{Secret::generate_hmac(), Secret::generate_ed25519()};
  auto header = sign_standard(std::span<const Secret>(both), kId, kTimestamp, kPayload);
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->starts_with("v1,"));
  EXPECT_NE(header->find(" v1a,"), std::string::npos);
  EXPECT_TRUE(verify_standard(std::vector<Secret>{both[1].public_key()}, kId, kTimestampText, *header, kPayload,
                              at(kTimestamp)));
}

}  // namespace
}  // namespace hookd::sign

#include "core/encoding.h"

#include <gtest/gtest.h>

#include <random>

namespace hookd::core {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesPaddedAndUnpadded) {
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYg"), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(base64_decode("Zm9v!mFy"));   // outside the alphabet
  EXPECT_FALSE(base64_decode("Z"));          // a lone sextet is not a byte
  EXPECT_FALSE(base64_decode("Zm=v"));       // padding in the middle
  EXPECT_FALSE(base64_decode("Zm9vYg==="));  // too much padding
  EXPECT_FALSE(base64_decode("===="));       // padding only
  EXPECT_FALSE(base64_decode("Zh=="));       // non-zero unused bits
  EXPECT_FALSE(base64_decode("Zm9v YmFy"));  // whitespace
  EXPECT_FALSE(base64_decode("Zm9v-_Fy"));   // the URL-safe alphabet is a different encoding
}

TEST(Base64, RoundTripsRandomBytes) {
  std::mt19937 random(42);
  for (int length = 0; length < 200; ++length) {
    std::string bytes(static_cast<std::size_t>(length), '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
}

TEST(Base64Url, UsesTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_decode("-_-_"), "\xfb\xff\xbf");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_FALSE(base64url_decode("+/+/"));
}

TEST(Hex, RoundTripsAndAcceptsUpperCase) {
  EXPECT_EQ(hex_encode("\x01\xab\xff"), "01abff");
  EXPECT_EQ(hex_decode("01abff"), "\x01\xab\xff");
  EXPECT_EQ(hex_decode("01ABFF"), "\x01\xab\xff");
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
}

}  // namespace
}  // namespace hookd::core

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

TEST(Utf8, AsTextReplacesWhatNoColumnHolds) {
  EXPECT_EQ(core::as_text("caf\xc3\xa9 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xf0\x9f\x98\x80");  // unchanged
  EXPECT_EQ(core::as_text(std::string("a\0b", 3)),
            "a\xef\xbf\xbd"
            "b");                                                                      // NUL
  EXPECT_EQ(core::as_text("caf\xe9"), "caf\xef\xbf\xbd");                              // Latin-1
  EXPECT_EQ(core::as_text("\xc0\xb4"), "\xef\xbf\xbd\xef\xbf\xbd");                    // overlong
  EXPECT_EQ(core::as_text("\xed\xa0\x80!"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");  // a surrogate
  EXPECT_EQ(core::as_text("\xf0\x9f\x98"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");    // cut short
  for (const std::string bytes : {"\xff\xfe", "\x80x", "ok"}) EXPECT_TRUE(core::is_text(core::as_text(bytes)));
  EXPECT_TRUE(core::is_text("caf\xc3\xa9"));
  EXPECT_FALSE(core::is_text(std::string("a\0b", 3)));
  EXPECT_FALSE(core::is_text("caf\xe9"));
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

#include "core/time.h"

#include <gtest/gtest.h>

namespace hookd::core {
namespace {

TEST(Rfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339(from_micros(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(from_micros(1614265330123456)), "2021-02-25T15:02:10.123Z");
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2021-02-25T15:02:10Z"), from_micros(1614265330000000));
  EXPECT_EQ(parse_rfc3339("2021-02-25T15:02:10.123456Z"), from_micros(1614265330123456));
  EXPECT_EQ(parse_rfc3339("2021-02-25T17:02:10.5+02:00"), from_micros(1614265330500000));
  EXPECT_EQ(parse_rfc3339("2021-02-25T14:02:10-01:00"), from_micros(1614265330000000));
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), from_micros(1709164800000000));
  const auto now = from_micros(1614265330123000);
  EXPECT_EQ(parse_rfc3339(format_rfc3339(now)), now);
}

TEST(Rfc3339, RejectsMalformedText) {
  for (const char* text :
       {"", "2021-02-25", "2021-02-25T15:02:10", "2021-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2021-02-25T24:00:00Z",
        "2021-02-25T15:02:10.Z", "2021-02-25T15:02:10Zjunk", "2021-02-25T15:02:10+2:00", "yesterday"}) {
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  }
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(from_micros(1000));
  EXPECT_EQ(clock.now(), from_micros(1000));
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(clock.now(), from_micros(1001000));
}

}  // namespace
}  // namespace hookd::core

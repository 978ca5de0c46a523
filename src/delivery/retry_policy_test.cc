#include "delivery/retry_policy.h"

#include <gtest/gtest.h>

namespace hookd::delivery {
namespace {

using namespace std::chrono_literals;
const core::TimePoint kNow = core::parse_rfc3339("1994-11-06T08:49:00Z").value();

FailedAttempt answered(int status_code, std::optional<std::string_view> retry_after = std::nullopt) {
  FailedAttempt failure;
  failure.status_code = status_code;
  failure.retry_after = retry_after;
  return failure;
}

FailedAttempt timed_out() {
  FailedAttempt failure;
  failure.timed_out = true;
  return failure;
}

TEST(RetryPolicy, FollowsTheScheduleWithJitter) {
  const RetrySchedule schedule;
  EXPECT_EQ(next_delay(schedule, 1, answered(500), 0.5, kNow), microseconds(5s));
  EXPECT_EQ(next_delay(schedule, 2, answered(500), 0.5, kNow), microseconds(5min));
  EXPECT_EQ(next_delay(schedule, 7, answered(500), 0.5, kNow), microseconds(10h));
  EXPECT_EQ(next_delay(schedule, 1, answered(500), 0.0, kNow), microseconds(4s));           // -20%
  EXPECT_EQ(next_delay(schedule, 1, answered(500), 0.999999, kNow)->count() / 1000, 5999);  // just under +20%
}

TEST(RetryPolicy, StopsAfterEightAttempts) {
  const RetrySchedule schedule;
  EXPECT_TRUE(next_delay(schedule, 7, answered(500), 0.5, kNow));
  EXPECT_FALSE(next_delay(schedule, 8, answered(500), 0.5, kNow));
  EXPECT_FALSE(next_delay(schedule, 0, answered(500), 0.5, kNow));
}

TEST(RetryPolicy, PenalizesTimeoutsAnd429) {
  const RetrySchedule schedule;
  EXPECT_EQ(next_delay(schedule, 1, timed_out(), 0.5, kNow), microseconds(60s));
  EXPECT_EQ(next_delay(schedule, 1, answered(429), 0.5, kNow), microseconds(60s));
  EXPECT_EQ(next_delay(schedule, 2, answered(429), 0.5, kNow), microseconds(5min));  // already longer
}

TEST(RetryPolicy, HonoursRetryAfterWithinTwiceTheDelay) {
  const RetrySchedule schedule;
  EXPECT_EQ(next_delay(schedule, 1, answered(503, "7"), 0.5, kNow), microseconds(7s));
  EXPECT_EQ(next_delay(schedule, 1, answered(503, "3600"), 0.5, kNow), microseconds(10s));
  EXPECT_EQ(next_delay(schedule, 1, answered(503, "1"), 0.5, kNow), microseconds(5s));
  EXPECT_EQ(next_delay(schedule, 1, answered(503, "Sun, 06 Nov 1994 08:49:08 GMT"), 0.5, kNow), microseconds(8s));
  EXPECT_EQ(next_delay(schedule, 1, answered(503, "soon"), 0.5, kNow), microseconds(5s));
}

TEST(RetryPolicy, ParsesRetryAfterForms) {
  EXPECT_EQ(parse_retry_after("120", kNow), microseconds(120s));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:00 GMT", kNow), microseconds(60s));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", kNow), microseconds(0));
  EXPECT_FALSE(parse_retry_after("", kNow));
  EXPECT_FALSE(parse_retry_after("-5", kNow));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Xyz 1994 08:50:00 GMT", kNow));
}

}  // namespace
}  // namespace hookd::delivery

#include "delivery/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace hookd::delivery {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, NeverAllowsMoreThanTheRateInAnySecond) {
  RateLimiter limiter(20);
  core::TimePoint now = core::from_micros(1000000);
  std::vector<core::TimePoint> events;
  // A caller that tries as often as it can, advancing time in uneven steps.
  for (int step = 0; events.size() < 200; ++step) {
    now += core::Microseconds(step % 3 == 0 ? 1 : 7919);
    if (limiter.next_allowed(now) <= now) {
      limiter.take(now);
      events.push_back(now);
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < events.size() && events[j] < events[i] + 1s; ++j) ++in_window;
    EXPECT_LE(in_window, 20u);
  }
  // …and it uses the rate: 200 events at 20/s take 10 s, plus the coarse steps of this caller.
  EXPECT_LE(events.back() - events.front(), 12s);
}

TEST(RateLimiter, SaysWhenTheNextSlotIs) {
  RateLimiter limiter(4);
  const auto start = core::from_micros(0);
  EXPECT_EQ(limiter.next_allowed(start), start);
  limiter.take(start);
  EXPECT_EQ(limiter.next_allowed(start), start + 250ms);
  EXPECT_EQ(limiter.next_allowed(start + 1s), start + 1s);  // idle time is not saved up
}

}  // namespace
}  // namespace hookd::delivery

#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace hookd::core {
namespace {

TEST(Ids, HaveThePrefixAndA27CharacterKsuid) {
  const std::string id = new_id("msg_");
  EXPECT_EQ(id.size(), 4 + kKsuidLength);
  EXPECT_TRUE(is_id(id, "msg_"));
  EXPECT_FALSE(is_id(id, "app_"));
  EXPECT_FALSE(is_id("msg_short", "msg_"));
  EXPECT_FALSE(is_id("msg_" + std::string(27, '!'), "msg_"));
  EXPECT_FALSE(is_id("msg_" + std::string(27, 'z'), "msg_"));  // above 2^160
}

TEST(Ids, IncreaseStrictlyInCreationOrder) {
  std::string previous = new_id("ep_");
  std::set<std::string> seen{previous};
  for (int i = 0; i < 10000; ++i) {
    std::string next = new_id("ep_");
    ASSERT_LT(previous, next);
    seen.insert(next);
    previous = next;
  }
  EXPECT_EQ(seen.size(), 10001u);
}

TEST(Ids, CarryTheirCreationTime) {
  const auto before = SystemClock::instance().now();
  const std::string id = new_id("app_");
  const auto t = id_time(id);
  ASSERT_TRUE(t);
  EXPECT_LE(std::chrono::abs(*t - before), std::chrono::seconds(2));
}

TEST(Ids, FloorsOrderLikeTimes) {
  const auto t = parse_rfc3339("2024-01-01T00:00:00Z").value();
  const std::string floor = id_floor("msg_", t);
  EXPECT_EQ(id_time(floor), t);
  EXPECT_LT(id_floor("msg_", t - std::chrono::seconds(1)), floor);
  EXPECT_LT(floor, new_id("msg_"));
  EXPECT_EQ(id_floor("msg_", from_micros(0)), "msg_" + std::string(27, '0'));
}

}  // namespace
}  // namespace hookd::core

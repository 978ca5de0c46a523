// The idempotency cache alone, with a clock the test moves.
#include "api/idempotency.h"

#include <gtest/gtest.h>

namespace hookd::api {
namespace {

using namespace std::chrono_literals;

class IdempotencyCacheTest : public ::testing::Test {
 protected:
  // Begins `key`; true when the caller must run the request itself.
  bool runs(IdempotencyCache& cache, const std::string& key) {
    bool run = false;
    cache.begin(key, [&](std::optional<net::HttpResponse> remembered) { run = !remembered; });
    return run;
  }

  core::ManualClock clock_{core::from_micros(1'700'000'000'000'000)};
};

TEST_F(IdempotencyCacheTest, ASecondRequestGetsTheFirstAnswerUntilItExpires) {
  IdempotencyCache cache(clock_, std::chrono::hours(12), 1 << 20);
  ASSERT_TRUE(runs(cache, "k"));
  cache.finish("k", net::HttpResponse::json(202, "{\"id\":1}"));
  std::optional<net::HttpResponse> second;
  cache.begin("k", [&](std::optional<net::HttpResponse> remembered) { second = std::move(remembered); });
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "{\"id\":1}");
  clock_.advance(std::chrono::hours(12));
  EXPECT_TRUE(runs(cache, "k"));
}

TEST_F(IdempotencyCacheTest, AFailedAnswerLeavesNothingBehind) {
  IdempotencyCache cache(clock_, std::chrono::hours(12), 1 << 20);
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ASSERT_TRUE(runs(cache, key));
    cache.finish(key, net::HttpResponse::json(422, std::string(1000, 'x')));
  }
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST_F(IdempotencyCacheTest, ARequestWaitingBehindAFailedOneRunsItself) {
  IdempotencyCache cache(clock_, std::chrono::hours(12), 1 << 20);
  ASSERT_TRUE(runs(cache, "k"));
  int called = 0;
  bool second_runs = false;
  cache.begin("k", [&](std::optional<net::HttpResponse> remembered) {
    ++called;
    second_runs = !remembered;
  });
  EXPECT_EQ(called, 0);  // waits for the first
  cache.finish("k", net::HttpResponse::json(500, "{}"));
  EXPECT_EQ(called, 1);
  EXPECT_TRUE(second_runs);
  cache.finish("k", net::HttpResponse::json(202, "{}"));
  EXPECT_EQ(cache.entries(), 1u);
}

TEST_F(IdempotencyCacheTest, TheOldestAnswersAreForgottenToKeepWithinTheBudget) {
  const std::size_t budget = 64 * 1024;
  IdempotencyCache cache(clock_, std::chrono::hours(12), budget);
  const std::string body(4000, 'x');
  for (int i = 0; i < 100; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ASSERT_TRUE(runs(cache, key));
    cache.finish(key, net::HttpResponse::json(202, body));
    clock_.advance(1s);
    EXPECT_LE(cache.bytes(), budget);
  }
  EXPECT_GT(cache.entries(), 5u);
  EXPECT_LT(cache.entries(), 17u);
  EXPECT_FALSE(runs(cache, "key-99"));  // the newest stays
  EXPECT_TRUE(runs(cache, "key-0"));    // the oldest is gone (the store still has it)
}

TEST_F(IdempotencyCacheTest, RequestsStillRunningAreNeverForgotten) {
  IdempotencyCache cache(clock_, std::chrono::hours(12), 2048);
  ASSERT_TRUE(runs(cache, "running"));
  for (int i = 0; i < 20; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ASSERT_TRUE(runs(cache, key));
    cache.finish(key, net::HttpResponse::json(202, std::string(500, 'x')));
  }
  int called = 0;
  cache.begin("running", [&](std::optional<net::HttpResponse>) { ++called; });
  EXPECT_EQ(called, 0);  // still waits for the first request under the key
  cache.finish("running", net::HttpResponse::json(202, "{}"));
  EXPECT_EQ(called, 1);
}

}  // namespace
}  // namespace hookd::api

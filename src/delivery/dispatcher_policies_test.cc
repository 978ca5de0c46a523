// Delivery policies: FIFO endpoints, disabling endpoints that keep failing, operational events, and
// endpoints whose queue overflows into the store.
#include <algorithm>

#include "delivery/dispatcher.h"
#include "delivery/dispatcher_fixture.h"

namespace hookd::delivery {
namespace {

// The "n" of each request's {"n":…} body, in arrival order.
std::vector<int> arrival_order(const Receiver& receiver) {
  std::vector<int> order;
  for (const auto& request : receiver.requests()) {
    const auto at = request.body.find("\"n\":");
    order.push_back(at == std::string::npos ? -1 : std::stoi(request.body.substr(at + 4)));
  }
  return order;
}

std::string body(int n) { return "{\"n\":" + std::to_string(n) + "}"; }

TEST_F(DispatcherTest, FifoSendsTheNextMessageOnlyAfterThePreviousSucceeded) {
  // The first message fails twice before it succeeds; the others succeed at once.
  std::atomic<int> first_failures{0};
  Receiver receiver([&](const net::HttpRequest& request, int) {
    std::this_thread::sleep_for(2ms);
    if (request.body == body(0) && first_failures < 2) {
      ++first_failures;
      return status(500);
    }
    return status(200);
  });
  const auto e = endpoint(receiver.url());
  change(e, [](store::Endpoint& x) { x.fifo = true; });
  start_dispatcher();
  std::vector<store::Message> messages;
  for (int n = 0; n < 6; ++n) messages.push_back(publish(body(n)));
  ASSERT_TRUE(eventually([&] { return destination_status(messages.back().id) == MessageStatus::success; }));
  EXPECT_EQ(arrival_order(receiver), (std::vector<int>{0, 0, 0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(receiver.most_at_once(), 1);
}

TEST_F(DispatcherTest, FifoMovesOnOnceAMessageExhaustsItsRetries) {
  Receiver receiver([](const net::HttpRequest& request, int) { return status(request.body == body(0) ? 503 : 200); });
  const auto e = endpoint(receiver.url());
  change(e, [](store::Endpoint& x) { x.fifo = true; });
  start_dispatcher();
  const auto first = publish(body(0));
  const auto second = publish(body(1));
  ASSERT_TRUE(eventually([&] { return destination_status(second.id) == MessageStatus::success; }));
  EXPECT_EQ(destination_status(first.id), MessageStatus::fail);
  EXPECT_EQ(arrival_order(receiver), (std::vector<int>{0, 0, 0, 0, 1}));
}

TEST_F(DispatcherTest, FifoOrderHoldsAcrossARestart) {
  std::atomic<bool> healthy{false};
  Receiver receiver([&](const net::HttpRequest&, int) { return status(healthy ? 200 : 503); });
  const auto e = endpoint(receiver.url());
  change(e, [](store::Endpoint& x) { x.fifo = true; });
  options_.schedule.delays = {300ms, 300ms, 300ms};
  start_dispatcher();
  std::vector<store::Message> messages;
  for (int n = 0; n < 4; ++n) messages.push_back(publish(body(n)));
  // The first message failed once and waits for its retry; then the process stops.
  ASSERT_TRUE(eventually([&] { return attempts(messages[0].id).size() == 1; }));
  dispatcher_->stop(1s);
  dispatcher_.reset();

  healthy = true;
  start_dispatcher();
  ASSERT_TRUE(eventually([&] { return destination_status(messages.back().id) == MessageStatus::success; }));
  EXPECT_EQ(arrival_order(receiver), (std::vector<int>{0, 0, 1, 2, 3}));
  // The retry still waited for its time after the restart.
  const auto first = attempts(messages[0].id);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_GE(first[1].created_at - first[0].created_at, 200ms);
}

TEST_F(DispatcherTest, AnEndpointThatFailsForTooLongIsDisabled) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(500); });
  const auto e = endpoint(receiver.url());
  options_.failure_disable_after = 30ms;
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return store_->get_endpoint(app_.org_id, app_.id, e.id)->disabled; }));
  EXPECT_EQ(destination_status(message.id), MessageStatus::fail);
  ASSERT_TRUE(eventually([&] { return events_.all().size() == 2; }));
  const auto events = events_.all();
  EXPECT_EQ(events[0].type, "message.attempt.exhausted");
  EXPECT_EQ(events[0].msg_id, message.id);
  EXPECT_EQ(events[0].last_attempt->id, attempts(message.id).back().id);
  EXPECT_EQ(events[0].last_attempt->response_status_code, 500);
  EXPECT_EQ(events[1].type, "endpoint.disabled");
  EXPECT_EQ(events[1].trigger, "automatic");
  EXPECT_EQ(events[1].endpoint_id, e.id);
  // The run of failures began with the first attempt.
  EXPECT_EQ(events[1].fail_since, attempts(message.id).front().created_at);
}

TEST_F(DispatcherTest, ASuccessEndsTheRunOfFailures) {
  std::atomic<bool> healthy{false};
  Receiver receiver([&](const net::HttpRequest&, int) { return status(healthy ? 200 : 500); });
  const auto e = endpoint(receiver.url());
  options_.schedule.delays = {10ms};
  start_dispatcher();
  const auto failed = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(failed.id) == MessageStatus::fail; }));
  ASSERT_TRUE(eventually([&] { return store_->get_endpoint(app_.org_id, app_.id, e.id)->failing_since.has_value(); }));
  // Exhausted, but the endpoint has not been failing for 120 hours: it stays enabled.
  EXPECT_FALSE(store_->get_endpoint(app_.org_id, app_.id, e.id)->disabled);

  healthy = true;
  const auto delivered = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(delivered.id) == MessageStatus::success; }));
  EXPECT_TRUE(eventually([&] { return !store_->get_endpoint(app_.org_id, app_.id, e.id)->failing_since; }));
}

TEST_F(DispatcherTest, ReportsFailingOnTheFourthFailureAndThenRecovered) {
  Receiver receiver([](const net::HttpRequest&, int call) { return status(call < 4 ? 502 : 200); });
  endpoint(receiver.url());
  options_.schedule.delays = {10ms, 10ms, 10ms, 10ms, 10ms};
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  ASSERT_TRUE(eventually([&] { return events_.all().size() == 2; }));
  EXPECT_EQ(events_.types(), (std::vector<std::string>{"message.attempt.failing", "message.attempt.recovered"}));
  const auto recorded = attempts(message.id);
  ASSERT_EQ(recorded.size(), 5u);
  EXPECT_EQ(events_.all()[0].last_attempt->id, recorded[3].id);
  EXPECT_EQ(events_.all()[1].last_attempt->id, recorded[4].id);
}

TEST_F(DispatcherTest, AGoneEndpointIsReportedDisabled) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(410); });
  const auto e = endpoint(receiver.url());
  start_dispatcher();
  publish();
  ASSERT_TRUE(eventually([&] { return events_.all().size() == 1; }));
  EXPECT_EQ(events_.all()[0].type, "endpoint.disabled");
  EXPECT_EQ(events_.all()[0].endpoint_id, e.id);
}

TEST_F(DispatcherTest, NewWorkForAnOverflowingEndpointWaitsInTheStore) {
  std::atomic<bool> hold{true};
  Receiver receiver([&](const net::HttpRequest&, int) {
    while (hold) std::this_thread::sleep_for(5ms);
    return status(200);
  });
  const auto e = endpoint(receiver.url());
  options_.endpoint_concurrency = 2;
  options_.endpoint_queue_capacity = 4;
  options_.scan_interval = 10ms;
  start_dispatcher();
  std::vector<store::Message> messages;
  for (int i = 0; i < 8; ++i) messages.push_back(publish());
  // Two in flight, four queued in memory, the rest given back: from now on the API leaves its work queued.
  ASSERT_TRUE(eventually([&] { return dispatcher_->leave_queued()->contains(e.id); }));
  // What the API does with that set: the store leaves the new delivery unclaimed, and says so.
  const auto now = core::SystemClock::instance().now();
  store::Message direct{core::new_id("msg_"), app_.org_id, app_.id, "test.event", std::nullopt,
                        std::nullopt,         "{}",        now,     now + 24h};
  auto created = store_->create_message({direct, std::nullopt, true, dispatcher_->leave_queued()});
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->tasks.empty());
  EXPECT_EQ(created->queued, std::vector<std::string>{e.id});
  dispatcher_->submit({}, std::move(created->queued));
  messages.push_back(direct);
  for (int i = 0; i < 20; ++i) messages.push_back(publish());
  hold = false;
  for (const auto& message : messages) {
    ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  }
  EXPECT_EQ(receiver.count(), messages.size());
  // Drained: new work is handed over directly again.
  EXPECT_TRUE(eventually([&] { return !dispatcher_->leave_queued()->contains(e.id); }));
}

}  // namespace
}  // namespace hookd::delivery

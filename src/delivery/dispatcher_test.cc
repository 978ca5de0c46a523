// Delivery: signing, retries, limits, the backlog in the store, throttling and disabled endpoints.
#include "delivery/dispatcher.h"

#include "delivery/dispatcher_fixture.h"
#include "hookd/sign/standard.h"

namespace hookd::delivery {
namespace {

TEST_F(DispatcherTest, DeliversSignedPayloadsAndRecordsTheAttempt) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(204); });
  endpoint(receiver.url());
  start_dispatcher();
  const auto message = publish("{\"amount\": 12,  \"note\":\"caf\xc3\xa9\"}");
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  const auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "{\"amount\": 12,  \"note\":\"caf\xc3\xa9\"}");
  EXPECT_EQ(got[0].headers.find("svix-id"), message.id);
  EXPECT_TRUE(sign::verify_standard(std::vector<sign::Secret>{key_}, got[0].headers, got[0].body));
  const auto recorded = attempts(message.id);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].response_status_code, 204);
  EXPECT_EQ(recorded[0].status, MessageStatus::success);
}

TEST_F(DispatcherTest, RetriesFailuresUntilSuccess) {
  Receiver receiver([](const net::HttpRequest&, int call) { return status(call < 2 ? 500 : 200); });
  endpoint(receiver.url());
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  ASSERT_TRUE(eventually([&] { return attempts(message.id).size() == 3; }));
  const auto recorded = attempts(message.id);
  EXPECT_EQ(recorded[0].response_status_code, 500);
  EXPECT_EQ(recorded[0].response, "{\"status\":500}");
  EXPECT_EQ(recorded[1].status, MessageStatus::fail);
  EXPECT_EQ(recorded[2].status, MessageStatus::success);
  // The same message id on every attempt, so that receivers can drop duplicates.
  for (const auto& request : receiver.requests()) EXPECT_EQ(request.headers.find("svix-id"), message.id);
}

TEST_F(DispatcherTest, GivesUpWhenTheScheduleIsExhausted) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(503); });
  endpoint(receiver.url());
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::fail; }));
  EXPECT_EQ(receiver.count(), 4u);  // the first try and three retries
  EXPECT_EQ(dispatcher_->stats().exhausted, 1u);
}

TEST_F(DispatcherTest, RedirectsAreFailuresAndNotFollowed) {
  Receiver elsewhere([](const net::HttpRequest&, int) { return status(200); });
  Receiver receiver([&](const net::HttpRequest&, int) {
    auto response = net::HttpResponse::empty(301);
    response.headers.add("location", elsewhere.url());
    return response;
  });
  endpoint(receiver.url());
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::fail; }));
  EXPECT_EQ(elsewhere.count(), 0u);
  EXPECT_EQ(attempts(message.id)[0].response_status_code, 301);
}

TEST_F(DispatcherTest, RecordsRefusedConnectionsAndTimeouts) {
  std::string closed_url;
  {
    Receiver gone([](const net::HttpRequest&, int) { return status(200); });
    closed_url = gone.url();
  }
  endpoint(closed_url);
  options_.request.timeout = 100ms;
  options_.schedule.delays = {10ms};
  start_dispatcher();
  const auto refused = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(refused.id) == MessageStatus::fail; }));
  const auto recorded = attempts(refused.id);
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].response_status_code, 0);
  EXPECT_NE(recorded[0].response.find("refused"), std::string::npos) << recorded[0].response;
}

TEST_F(DispatcherTest, SlowReceiversTimeOutAndArePenalized) {
  Receiver slow([](const net::HttpRequest&, int call) {
    if (call == 0) std::this_thread::sleep_for(400ms);
    return status(200);
  });
  endpoint(slow.url());
  options_.request.timeout = 100ms;
  options_.schedule.penalty = 300ms;
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  const auto recorded = attempts(message.id);
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].response_status_code, 0);
  EXPECT_NE(recorded[0].response.find("no complete answer"), std::string::npos);
  // The retry waited for the penalty, not the 20 ms of the schedule.
  EXPECT_GE(recorded[1].created_at - recorded[0].created_at, 300ms);
}

TEST_F(DispatcherTest, RespectsTheEndpointConcurrencyCap) {
  Receiver receiver([](const net::HttpRequest&, int) {
    std::this_thread::sleep_for(20ms);
    return status(200);
  });
  endpoint(receiver.url());
  options_.endpoint_concurrency = 3;
  start_dispatcher();
  for (int i = 0; i < 12; ++i) publish();
  ASSERT_TRUE(eventually([&] { return receiver.count() == 12; }));
  EXPECT_EQ(receiver.most_at_once(), 3);  // the cap is what held the others back
}

TEST_F(DispatcherTest, ABacklogBeyondMemoryWaitsInTheStore) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(200); });
  endpoint(receiver.url());
  options_.endpoint_queue_capacity = 4;
  options_.scan_interval = 10ms;
  start_dispatcher();
  std::vector<store::Message> messages;
  for (int i = 0; i < 60; ++i) messages.push_back(publish());
  ASSERT_TRUE(eventually([&] { return receiver.count() >= 60; }));
  for (const auto& message : messages) {
    ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  }
  EXPECT_EQ(receiver.count(), 60u);
}

TEST_F(DispatcherTest, WorkClaimedByADeadProcessResumesAtStart) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(200); });
  endpoint(receiver.url());
  // Committed and claimed, but never handed to a dispatcher: as if the process died right after.
  const auto first = publish("{\"n\":1}", false);
  const auto second = publish("{\"n\":2}", false);
  start_dispatcher();
  ASSERT_TRUE(eventually([&] { return receiver.count() == 2; }));
  // Both were sent at once: their outcomes may be recorded in either order.
  EXPECT_TRUE(eventually([&] { return destination_status(second.id) == MessageStatus::success; }));
  EXPECT_TRUE(eventually([&] { return destination_status(first.id) == MessageStatus::success; }));
}

TEST_F(DispatcherTest, ManualAttemptsDoNotChangeTheSchedule) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(200); });
  const auto e = endpoint(receiver.url());
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  auto task = store_->manual_task(app_.id, message.id, e.id);
  ASSERT_TRUE(task);
  ASSERT_TRUE(dispatcher_->send_manual(std::move(*task)));
  ASSERT_TRUE(eventually([&] { return attempts(message.id).size() == 2; }));
  EXPECT_EQ(attempts(message.id)[1].trigger, store::TriggerType::manual);
}

TEST_F(DispatcherTest, ResendsBeyondWhatAnEndpointHoldsAreRefusedUntilTheyAreSent) {
  std::atomic<bool> answer{false};
  Receiver receiver([&](const net::HttpRequest&, int) {
    eventually([&] { return answer.load(); }, 10s);  // holds every attempt until told
    return status(200);
  });
  const auto e = endpoint(receiver.url());
  options_.max_manual_per_endpoint = 3;
  options_.endpoint_concurrency = 1;
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return receiver.count() == 1; }));
  auto resend = [&] {
    auto task = store_->manual_task(app_.id, message.id, e.id);
    return task && dispatcher_->send_manual(std::move(*task));
  };
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(resend()) << i;
  EXPECT_FALSE(resend());  // memory holds no more of them, however often they are asked for
  answer = true;
  ASSERT_TRUE(eventually([&] { return attempts(message.id).size() == 4; }));
  EXPECT_TRUE(eventually([&] { return resend(); }));
}

TEST_F(DispatcherTest, AnApplicationWithManySlowEndpointsTakesOnlyItsShare) {
  std::atomic<bool> answer{false};
  Receiver slow([&](const net::HttpRequest&, int) {
    eventually([&] { return answer.load(); }, 10s);  // holds every attempt until told
    return status(200);
  });
  Receiver quick([](const net::HttpRequest&, int) { return status(200); });
  options_.global_concurrency = 6;
  options_.app_concurrency = 4;
  options_.endpoint_concurrency = 2;
  // One application: five endpoints that hang, 25 deliveries.
  for (int i = 0; i < 5; ++i) endpoint(slow.url());
  start_dispatcher();
  for (int i = 0; i < 5; ++i) publish();
  ASSERT_TRUE(eventually([&] { return dispatcher_->stats().in_flight == 4; }));
  // Another application's endpoint is served beside them, in the slots the first may not take.
  const store::Application first = app_;
  app_ = {};
  endpoint(quick.url());
  const auto message = publish();
  EXPECT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  EXPECT_EQ(dispatcher_->stats().in_flight, 4);  // the slow application never went past its share
  app_ = first;
  answer = true;
  EXPECT_TRUE(eventually([&] { return dispatcher_->stats().succeeded == 26; }, 30s));
}

TEST_F(DispatcherTest, ADisabledEndpointGetsNothingUntilItIsEnabled) {
  std::atomic<bool> healthy{false};
  Receiver receiver([&](const net::HttpRequest&, int) { return status(healthy ? 200 : 503); });
  const auto e = endpoint(receiver.url());
  options_.schedule.delays = {2s, 2s, 2s};
  start_dispatcher();
  const auto message = publish();
  // The first try failed (its answer recorded, not just its arrival); a retry is due in 2 s.
  ASSERT_TRUE(eventually([&] { return attempts(message.id).size() == 1; }));
  set_disabled(e, true);
  // A message published now is not routed to the disabled endpoint at all.
  const auto later = publish();
  EXPECT_EQ(store_->list_message_destinations(app_.id, later.id, {})->items.size(), 0u);

  // Enabled again (and healthy): the retry that waited is delivered.
  healthy = true;
  set_disabled(e, false);
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  // While disabled, nothing reached it: the first try, then the retry after it was enabled.
  EXPECT_EQ(receiver.count(), 2u);
}

TEST_F(DispatcherTest, ChangesMadeWhileTheEndpointIsReadAreNotLost) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(200); });
  const auto e = endpoint(receiver.url());
  start_dispatcher();
  // Each change makes the dispatcher read the endpoint again, while the next change is being made: a
  // read that began before the last change must not leave the endpoint disabled.
  for (int i = 0; i < 40; ++i) {
    set_disabled(e, true);
    set_disabled(e, false);
  }
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
}

// The most attempts started within any one second, over the given endpoints (the attempts record when
// the dispatcher sent them, which is what throttleRate governs; arrivals add network jitter).
std::size_t most_sent_in_one_second(store::Store& store, const std::string& app_id,
                                    const std::vector<std::string>& endpoint_ids) {
  std::vector<core::TimePoint> starts;
  for (const auto& endpoint_id : endpoint_ids) {
    store::AttemptFilter filter;
    filter.endpoint_id = endpoint_id;
    const auto page = store.list_attempts(app_id, {250, std::nullopt, true}, filter);
    for (const auto& attempt : page->items) starts.push_back(attempt.created_at);
  }
  std::size_t most = 0;
  for (const auto& start : starts) {
    most = std::max<std::size_t>(
        most, static_cast<std::size_t>(std::count_if(starts.begin(), starts.end(),
                                                     [&](const auto& at) { return at >= start && at < start + 1s; })));
  }
  return most;
}

TEST_F(DispatcherTest, ThrottleRateSpacesDeliveriesWithoutDroppingAny) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(200); });
  const auto e = endpoint(receiver.url(), 10);
  start_dispatcher();
  for (int i = 0; i < 25; ++i) publish();
  ASSERT_TRUE(eventually([&] { return receiver.count() == 25; }, 10s));
  ASSERT_TRUE(store_->flush());
  EXPECT_LE(most_sent_in_one_second(*store_, app_.id, {e.id}), 10u);
  EXPECT_LE(receiver.most_in_one_second(), 12u);  // what arrived, give or take network jitter
}

TEST_F(DispatcherTest, AnApplicationsThrottleRateHoldsForAllItsEndpointsTogether) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(200); });
  const auto first = endpoint(receiver.url(), std::nullopt, 10);
  const auto second = endpoint(receiver.url());
  start_dispatcher();
  for (int i = 0; i < 12; ++i) publish();  // 24 deliveries
  ASSERT_TRUE(eventually([&] { return receiver.count() == 24; }, 10s));
  ASSERT_TRUE(eventually([&] {
    return store_->flush() && most_sent_in_one_second(*store_, app_.id, {first.id, second.id}) > 0;
  }));
  EXPECT_LE(most_sent_in_one_second(*store_, app_.id, {first.id, second.id}), 10u);
}

TEST_F(DispatcherTest, GoneDisablesTheEndpointAndItsWorkWaitsUntilEnabled) {
  std::atomic<bool> gone{true};
  Receiver receiver([&](const net::HttpRequest&, int) { return status(gone ? 410 : 200); });
  const auto e = endpoint(receiver.url());
  start_dispatcher();
  const auto message = publish();
  ASSERT_TRUE(eventually([&] { return store_->get_endpoint(app_.org_id, app_.id, e.id)->disabled; }));
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(destination_status(message.id), MessageStatus::pending);
  // Disabled: a new message is not even routed to it.
  EXPECT_TRUE(store_
                  ->create_message({{core::new_id("msg_"), app_.org_id, app_.id, "t", std::nullopt, std::nullopt, "{}",
                                     core::SystemClock::instance().now(), core::SystemClock::instance().now() + 1h},
                                    std::nullopt,
                                    true,
                                    nullptr})
                  ->tasks.empty());

  gone = false;
  set_disabled(e, false);
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  EXPECT_EQ(receiver.count(), 2u);
}

TEST_F(DispatcherTest, AnApplicationLostToAnotherNodeIsNoLongerDeliveredHere) {
  Receiver receiver([](const net::HttpRequest&, int) { return status(500); });
  endpoint(receiver.url());
  options_.schedule.delays = {300ms, 300ms};
  start_dispatcher();
  publish();
  ASSERT_TRUE(eventually([&] { return receiver.count() == 1; }));  // the retry waits in memory
  dispatcher_->application_lost(app_.id);  // another node took the lease over, with the delivery
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(DispatcherTest, AnApplicationRegainedThroughTheQueueIsDeliveredHereAgain) {
  Receiver receiver([](const net::HttpRequest&, int call) { return status(call == 0 ? 500 : 200); });
  endpoint(receiver.url());
  start_dispatcher();
  dispatcher_->application_lost(app_.id);  // another node took it, and let it go once done
  // Its next message reaches this node through the queue (accepted by a node that claims nothing)…
  const auto now = core::SystemClock::instance().now();
  const store::Message message{core::new_id("msg_"), app_.org_id, app_.id, "test.event", std::nullopt,
                               std::nullopt,         "{}",        now,     now + 24h};
  ASSERT_TRUE(store_->create_message({message, std::nullopt, false, nullptr}));
  dispatcher_->look_for_work();
  // …and this node delivers it as its own again: the failed first try is retried.
  ASSERT_TRUE(eventually([&] { return destination_status(message.id) == MessageStatus::success; }));
  EXPECT_EQ(receiver.count(), 2u);
}

}  // namespace
}  // namespace hookd::delivery

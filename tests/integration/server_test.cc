// The server's main paths: publishing, signing, retries, the SSRF guard, rotation, bad input, restarts.
#include "hookd/sign/standard.h"
#include "server_fixture.h"

namespace hookd::testing {
namespace {

TEST_F(ServerTest, PublishedMessagesArriveSignedAndTheirAttemptsAreListed) {
  start();
  Receiver receiver;
  const auto secret = sign::Secret::parse(app_with_endpoint(receiver.url())).value();
  const std::string payload = R"({"amount": 1.50, "note": "caf\u00e9 \u2603"})";
  const std::string id = publish(payload);
  ASSERT_TRUE(eventually([&] { return status_of(id) == "success"; }));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, payload);
  EXPECT_EQ(requests[0].headers.find("svix-id"), id);
  EXPECT_TRUE(requests[0].headers.find("user-agent")->starts_with("hookd/"));
  EXPECT_TRUE(sign::verify_standard(std::vector<sign::Secret>{secret}, requests[0].headers, requests[0].body));
  const auto list = attempts(id);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("responseStatusCode"), 204);
  EXPECT_EQ(list[0].at("statusText"), "success");
  EXPECT_EQ(list[0].at("triggerType"), 0);
}

TEST_F(ServerTest, FailuresAreRetriedOnTheScheduleUntilSuccess) {
  start();
  Receiver receiver([](const net::HttpRequest&, int call) {
    return call < 2 ? net::HttpResponse::json(500, R"({"error":"down"})") : net::HttpResponse::empty(200);
  });
  app_with_endpoint(receiver.url());
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return status_of(id) == "success"; }));
  const auto list = attempts(id);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].at("responseStatusCode"), 500);
  EXPECT_EQ(list[0].at("response"), R"({"error":"down"})");
  EXPECT_EQ(list[2].at("responseStatusCode"), 200);
  const auto stats = client_->get("/api/v1/app/app/endpoint/ep/stats").json();
  EXPECT_EQ(stats.at("success"), 1);
}

TEST_F(ServerTest, RedirectsTimeoutsAndHugeAnswersAreRecordedAsTheyHappened) {
  config_.delivery.schedule.delays = {};  // one try each
  config_.delivery.request.timeout = 200ms;
  start();
  Receiver receiver([](const net::HttpRequest& request, int) {
    if (request.body == R"({"case":"redirect"})") {
      auto response = net::HttpResponse::empty(302);
      response.headers.add("location", "http://127.0.0.1:1/");
      return response;
    }
    if (request.body == R"({"case":"slow"})") std::this_thread::sleep_for(1500ms);
    return net::HttpResponse::json(200, std::string(50000, 'x'));
  });
  app_with_endpoint(receiver.url());
  const std::string redirect = publish(R"({"case":"redirect"})");
  const std::string slow = publish(R"({"case":"slow"})");
  const std::string huge = publish(R"({"case":"huge"})");
  for (const auto& id : {redirect, slow}) ASSERT_TRUE(eventually([&] { return status_of(id) == "fail"; }));
  ASSERT_TRUE(eventually([&] { return status_of(huge) == "success"; }));
  EXPECT_EQ(attempts(redirect)[0].at("responseStatusCode"), 302);
  EXPECT_EQ(attempts(slow)[0].at("responseStatusCode"), 0);
  EXPECT_EQ(attempts(huge)[0].at("response").as_string().size(), 20000u);
  EXPECT_EQ(receiver.count(), 3u);  // the redirect was not followed
}

TEST_F(ServerTest, TheSsrfGuardRefusesLoopbackUnlessAllowed) {
  config_.allow_subnets.clear();
  config_.delivery.schedule.delays = {};
  start();
  Receiver receiver;
  app_with_endpoint(receiver.url());
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return status_of(id) == "fail"; }));
  const auto list = attempts(id);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("responseStatusCode"), 0);
  const std::string response(list[0].at("response").as_string());
  // The tenant reads the class of the address, never the address (the operator's log has it).
  EXPECT_EQ(response, "refused: the endpoint's host is a loopback address, which this server does not deliver to");
  EXPECT_EQ(receiver.connections(), 0u);  // not a single connection reached it
}

TEST_F(ServerTest, AnEndpointsOwnRetryScheduleReplacesTheServers) {
  start();  // the server's schedule: three retries 30 ms apart
  Receiver receiver([](const net::HttpRequest&, int) { return net::HttpResponse::empty(500); });
  app_with_endpoint(receiver.url(), R"(,"retrySchedule":[5])");  // the smallest delay an endpoint may ask
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return status_of(id) == "fail"; }));
  const auto list = attempts(id);
  ASSERT_EQ(list.size(), 2u);  // the first try and the endpoint's one retry
  const auto first = core::parse_rfc3339(list[0].at("timestamp").as_string()).value();
  const auto second = core::parse_rfc3339(list[1].at("timestamp").as_string()).value();
  EXPECT_GE(second - first, 4000ms);  // 5 s, less the jitter
}

TEST_F(ServerTest, HttpsOnlyRefusesToDeliverOverPlainHttp) {
  start();
  Receiver receiver;
  app_with_endpoint(receiver.url());
  server_->stop();
  client_.reset();
  server_.reset();
  config_.https_only = true;  // the endpoint exists already with an http URL
  config_.delivery.schedule.delays = {};
  start();
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return status_of(id) == "fail"; }));
  EXPECT_NE(std::string(attempts(id)[0].at("response").as_string()).find("https_only"), std::string::npos);
  EXPECT_EQ(receiver.connections(), 0u);
}

TEST_F(ServerTest, RotationSignsWithBothKeysDuringTheGracePeriod) {
  start();
  Receiver receiver;
  const auto old_key = sign::Secret::parse(app_with_endpoint(receiver.url())).value();
  ASSERT_EQ(client_->post("/api/v1/app/app/endpoint/ep/secret/rotate", "{}").status, 204);
  const auto new_key =
      sign::Secret::parse(std::string(client_->get("/api/v1/app/app/endpoint/ep/secret").json().at("key").as_string()))
          .value();
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return receiver.count() == 1; }));
  const auto request = receiver.requests()[0];
  const std::string signature(*request.headers.find("svix-signature"));
  EXPECT_EQ(std::count(signature.begin(), signature.end(), ' '), 1) << signature;
  for (const auto& key : {old_key, new_key}) {
    EXPECT_TRUE(sign::verify_standard(std::vector<sign::Secret>{key}, request.headers, request.body));
  }
}

TEST_F(ServerTest, BadInputGetsJsonErrorsAndTheServerKeepsServing) {
  config_.http.max_body_bytes = 4096;
  start();
  Receiver receiver;
  app_with_endpoint(receiver.url());
  const auto too_big =
      client_->post("/api/v1/app/app/msg", R"({"eventType":"x","payload":{"a":")" + std::string(8000, 'a') + "\"}}");
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.json().at("code"), "payload_too_large");
  EXPECT_EQ(client_->post("/api/v1/app/app/msg", "{\"eventType\":").status, 400);
  EXPECT_EQ(client_->post("/api/v1/app/app/msg", R"({"eventType":"x","payload":7})").status, 422);
  EXPECT_EQ(client_->call("GET", "/api/v1/app", "", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJvcmdfaXQifQ.").status, 401);
  EXPECT_EQ(client_->get("/nothing/here").status, 404);
  EXPECT_EQ(client_->call("PATCH", "/api/v1/health").status, 405);
  EXPECT_EQ(client_->get("/api/v1/health/ping").status, 204);
  publish();
  EXPECT_TRUE(eventually([&] { return receiver.count() == 1; }));
}

TEST_F(ServerTest, AScheduledRetryResumesInTheNextProcess) {
  // Long enough that the retry is still waiting once the next process has started, however slow the
  // machine (at 800 ms, a loaded CI machine saw it sent before the check).
  config_.delivery.schedule.delays = {3s};
  start();
  std::atomic<bool> healthy{false};
  Receiver receiver([&](const net::HttpRequest&, int) {
    return healthy ? net::HttpResponse::empty(200) : net::HttpResponse::empty(503);
  });
  app_with_endpoint(receiver.url());
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return attempts(id).size() == 1; }));
  server_->stop();  // the retry, due in 3 s, was held in memory: it must be in the store too
  client_.reset();
  server_.reset();

  healthy = true;
  start();
  EXPECT_EQ(status_of(id), "pending");
  ASSERT_TRUE(eventually([&] { return status_of(id) == "success"; }));
  const auto list = attempts(id);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].at("triggerType"), 0);  // the scheduled retry, not a manual one
}

TEST_F(ServerTest, MessagesAcceptedBeforeAStopAreDeliveredAfterAStart) {
  // The endpoint first refuses connections: the first attempts fail and retries wait.
  config_.delivery.schedule.delays = {300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms, 300ms};
  start();
  std::string url;
  {
    Receiver closed;
    url = closed.url();
  }
  app_with_endpoint(url);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(publish());
  server_->stop();
  client_.reset();
  server_.reset();

  Receiver receiver;
  start();
  ASSERT_EQ(client_->call("PATCH", "/api/v1/app/app/endpoint/ep", R"({"url":")" + receiver.url() + R"("})").status,
            200);
  for (const auto& id : ids) ASSERT_TRUE(eventually([&] { return status_of(id) == "success"; })) << id;
  std::set<std::string> delivered;
  for (const auto& request : receiver.requests()) delivered.insert(std::string(*request.headers.find("svix-id")));
  EXPECT_EQ(delivered.size(), ids.size());
}

}  // namespace
}  // namespace hookd::testing

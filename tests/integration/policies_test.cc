// Delivery policies through the API: FIFO endpoints, operational webhooks, disabling failing endpoints.
#include "hookd/sign/standard.h"
#include "server_fixture.h"
#include "support/connect_proxy.h"

namespace hookd::testing {
namespace {

using hookd::testing::ConnectProxy;

// The operational webhooks a receiver got, as {"type", "data"} objects, after checking each signature.
std::vector<json::object> operational_events(const Receiver& receiver, const sign::Secret& secret) {
  std::vector<json::object> events;
  for (const auto& request : receiver.requests()) {
    EXPECT_TRUE(sign::verify_standard(std::vector<sign::Secret>{secret}, request.headers, request.body));
    events.push_back(json::parse(request.body).as_object());
  }
  return events;
}

std::vector<std::string> types_of(const std::vector<json::object>& events) {
  std::vector<std::string> types;
  for (const auto& event : events) types.emplace_back(event.at("type").as_string());
  return types;
}

TEST_F(ServerTest, OperationalWebhooksTellTheOperatorOfEndpointChanges) {
  Receiver operator_receiver;
  const auto secret = sign::Secret::generate_hmac();
  config_.operational_webhooks.url = operator_receiver.url();
  config_.operational_webhooks.secret = secret.to_string();
  start();
  Receiver receiver;
  app_with_endpoint(receiver.url());
  const auto endpoint = client_->get("/api/v1/app/app/endpoint/ep").json().as_object();
  const auto app = client_->get("/api/v1/app/app").json().as_object();
  EXPECT_EQ(client_->call("PATCH", "/api/v1/app/app/endpoint/ep", R"({"disabled":true})").status, 200);
  EXPECT_EQ(client_->call("PATCH", "/api/v1/app/app/endpoint/ep", R"({"disabled":false})").status, 200);
  EXPECT_EQ(client_->call("DELETE", "/api/v1/app/app/endpoint/ep").status, 204);

  ASSERT_TRUE(eventually([&] { return operator_receiver.count() == 6; }));
  const auto events = operational_events(operator_receiver, secret);
  auto types = types_of(events);
  std::sort(types.begin(), types.end());
  EXPECT_EQ(types, (std::vector<std::string>{"endpoint.created", "endpoint.deleted", "endpoint.disabled",
                                             "endpoint.enabled", "endpoint.updated", "endpoint.updated"}));
  for (const auto& event : events) {
    const auto& data = event.at("data").as_object();
    EXPECT_EQ(data.at("appId"), app.at("id"));
    EXPECT_EQ(data.at("appUid"), json::value("app"));
    EXPECT_EQ(data.at("endpointId"), endpoint.at("id"));
    EXPECT_EQ(data.at("endpointUid"), json::value("ep"));
    if (event.at("type") == json::value("endpoint.disabled")) {
      EXPECT_EQ(data.at("trigger"), json::value("manual"));
    }
  }
}

TEST_F(ServerTest, AnEndpointFailingForTooLongIsDisabledAndTheOperatorIsTold) {
  Receiver operator_receiver;
  const auto secret = sign::Secret::generate_hmac();
  config_.operational_webhooks.url = operator_receiver.url();
  config_.operational_webhooks.secret = secret.to_string();
  config_.operational_webhooks.event_types = {"endpoint.disabled", "message.attempt.exhausted"};
  config_.delivery.failure_disable_after = 50ms;
  start();
  std::atomic<bool> healthy{false};
  Receiver receiver([&](const net::HttpRequest&, int) { return net::HttpResponse::json(healthy ? 200 : 500, "{}"); });
  app_with_endpoint(receiver.url());
  const std::string failed = publish(R"({"n":1})");

  ASSERT_TRUE(eventually([&] { return client_->get("/api/v1/app/app/endpoint/ep").json().at("disabled").as_bool(); }));
  ASSERT_TRUE(eventually([&] { return operator_receiver.count() == 2; }));
  // Two messages of the operational application, delivered concurrently: in either order.
  auto events = operational_events(operator_receiver, secret);
  std::sort(events.begin(), events.end(), [](const json::object& a, const json::object& b) {
    return a.at("type").as_string() > b.at("type").as_string();
  });
  EXPECT_EQ(types_of(events), (std::vector<std::string>{"message.attempt.exhausted", "endpoint.disabled"}));
  const auto& exhausted = events[0].at("data").as_object();
  EXPECT_EQ(exhausted.at("msgId"), json::value(failed));
  const auto last = attempts(failed).back().as_object();
  EXPECT_EQ(exhausted.at("lastAttempt").at("id"), last.at("id"));
  EXPECT_EQ(exhausted.at("lastAttempt").at("responseStatusCode"), json::value(500));
  const auto& disabled = events[1].at("data").as_object();
  EXPECT_EQ(disabled.at("trigger"), json::value("automatic"));
  EXPECT_EQ(disabled.at("failSince"), attempts(failed).front().at("timestamp"));

  // Enabled again, the endpoint gets new messages, and recover re-sends the one that failed.
  healthy = true;
  EXPECT_EQ(client_->call("PATCH", "/api/v1/app/app/endpoint/ep", R"({"disabled":false})").status, 200);
  const std::string later = publish(R"({"n":2})");
  ASSERT_TRUE(eventually([&] { return status_of(later) == "success"; }));
  EXPECT_EQ(client_->post("/api/v1/app/app/endpoint/ep/recover", R"({"since":"2020-01-01T00:00:00Z"})").status, 202);
  ASSERT_TRUE(eventually([&] { return status_of(failed) == "success"; }));
  EXPECT_FALSE(client_->get("/api/v1/app/app/endpoint/ep").json().at("disabled").as_bool());
}

TEST_F(ServerTest, AFifoEndpointGetsMessagesOneAtATimeInOrder) {
  start();
  std::atomic<int> failures{0};
  Receiver receiver([&](const net::HttpRequest& request, int) {
    if (request.body == R"({"n":0})" && failures < 2) {
      ++failures;
      return net::HttpResponse::json(503, "{}");
    }
    return net::HttpResponse::json(200, "{}");
  });
  app_with_endpoint(receiver.url(), R"(,"fifo":true)");
  EXPECT_TRUE(client_->get("/api/v1/app/app/endpoint/ep").json().at("fifo").as_bool());
  std::vector<std::string> ids;
  for (int n = 0; n < 5; ++n) ids.push_back(publish(R"({"n":)" + std::to_string(n) + "}"));
  ASSERT_TRUE(eventually([&] { return status_of(ids.back()) == "success"; }));
  std::vector<std::string> bodies;
  for (const auto& request : receiver.requests()) bodies.push_back(request.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{R"({"n":0})", R"({"n":0})", R"({"n":0})", R"({"n":1})", R"({"n":2})",
                                              R"({"n":3})", R"({"n":4})"}));
  EXPECT_EQ(receiver.most_at_once(), 1);
}

TEST_F(ServerTest, DeliveriesTunnelThroughTheConfiguredProxy) {
  ConnectProxy proxy;
  ASSERT_TRUE(server::apply_setting(config_, "delivery.proxy", proxy.url()));
  start();
  Receiver receiver;
  app_with_endpoint(receiver.url());
  const std::string id = publish();
  ASSERT_TRUE(eventually([&] { return status_of(id) == "success"; }));
  ASSERT_EQ(proxy.tunnels().size(), 1u);
  EXPECT_EQ("http://" + proxy.tunnels()[0].target + "/hook", receiver.url());
}

TEST_F(ServerTest, TheExpungeRoutesDeleteAPayloadAndAResponse) {
  start();
  Receiver receiver([](const net::HttpRequest&, int) { return net::HttpResponse::json(200, R"({"secret":"s3"})"); });
  app_with_endpoint(receiver.url());
  const std::string id = publish(R"({"card":"4242"})");
  ASSERT_TRUE(eventually([&] { return attempts(id).size() == 1; }));
  const std::string attempt = std::string(attempts(id)[0].at("id").as_string());
  EXPECT_EQ(attempts(id)[0].at("response"), json::value(R"({"secret":"s3"})"));

  EXPECT_EQ(client_->call("DELETE", "/api/v1/app/app/msg/" + id + "/content").status, 204);
  EXPECT_EQ(client_->get("/api/v1/app/app/msg/" + id).json().at("payload"), json::object());
  EXPECT_EQ(client_->call("DELETE", "/api/v1/app/app/msg/" + id + "/attempt/" + attempt + "/content").status, 204);
  EXPECT_EQ(attempts(id)[0].at("response"), json::value(""));
  EXPECT_EQ(client_->call("DELETE", "/api/v1/app/app/msg/" + id + "/attempt/atmpt_nope/content").status, 404);
}

TEST_F(ServerTest, ExpiredPayloadsArePurgedInTheBackground) {
  config_.payload_purge_interval = 20ms;
  start();
  Receiver receiver;
  app_with_endpoint(receiver.url());
  const std::string kept = publish(R"({"n":1})");
  // A message whose payload expired an hour ago, as if it had been published long before.
  const auto app = server_->store().get_application("org_it", "app");
  ASSERT_TRUE(app);
  const auto now = core::SystemClock::instance().now();
  store::NewMessage old;
  old.message = {core::new_id("msg_"), "org_it",     app->id,  "test.event", std::nullopt,
                 std::nullopt,         R"({"n":0})", now - 3h, now - 1h};
  old.claim = false;
  ASSERT_TRUE(server_->store().create_message(old));

  ASSERT_TRUE(eventually(
      [&] { return client_->get("/api/v1/app/app/msg/" + old.message.id).json().at("payload") == json::object(); }));
  EXPECT_EQ(client_->get("/api/v1/app/app/msg/" + kept).json().at("payload"), json::parse(R"({"n":1})"));
}

}  // namespace
}  // namespace hookd::testing

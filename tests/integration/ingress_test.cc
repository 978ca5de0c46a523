// Receiving webhooks through the whole server: sources made through the API, providers' requests
// verified, deduplicated, kept and forwarded to endpoints with retries; Slack's challenge; replay.
#include "api/jwt.h"
#include "hookd/sign/github.h"
#include "hookd/sign/slack.h"
#include "hookd/sign/standard.h"
#include "hookd/sign/stripe.h"
#include "server_fixture.h"

#include <fstream>

namespace hookd::testing {
namespace {

// POSTs to the ingress like a provider: no token, the given headers.
ApiResponse deliver(const std::string& base_url, const std::string& path, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  net::EventLoop loop;
  loop.start();
  net::HttpClient client(loop, {});
  net::OutboundRequest request;
  request.url = base_url + path;
  for (const auto& [name, value] : headers) request.headers.add(name, value);
  request.headers.add("content-type", "application/json");
  request.body = std::make_shared<const std::string>(body);
  std::promise<net::OutboundResponse> answer;
  client.send(std::move(request), [&](net::OutboundResponse response) { answer.set_value(std::move(response)); });
  auto response = answer.get_future().get();
  loop.stop();
  return {response.status, response.body};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class IngressTest : public ServerTest {
 protected:
  // As a single-tenant deployment runs: the default organization, whose sources /in/{name} finds.
  void start() {
    ServerTest::start();
    client_ = std::make_unique<ApiClient>(server_->base_url(), server_->org_token(api::kDefaultOrgId));
  }

  // An app "app" with an endpoint at `url`, and a source feeding it.
  void source(const std::string& spec, const std::string& url) {
    app_with_endpoint(url);
    auto created = client_->post("/api/v1/source", spec);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  ApiResponse github(const std::string& body, const std::string& delivery_id, const std::string& secret = "gh-secret") {
    return deliver(server_->base_url(), "/in/github", body,
                   {{"X-GitHub-Event", "push"},
                    {"X-GitHub-Delivery", delivery_id},
                    {"X-Hub-Signature-256", sign::sign_github(secret, body)}});
  }
};

TEST_F(IngressTest, AGithubSourceVerifiesDedupesAndForwardsWithRetries) {
  start();
  // The endpoint fails once, then takes it: the forwarded message is retried like any other.
  Receiver receiver(
      [](const net::HttpRequest&, int call) { return net::HttpResponse::json(call == 0 ? 503 : 200, "{}"); });
  source(R"({"name":"github","scheme":"github","secrets":["gh-secret"],"app":"app"})", receiver.url());
  const std::string body = R"({"ref":"refs/heads/main","after":"1a2b"})";

  auto first = github(body, "d-1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_FALSE(first.json().at("duplicate").as_bool());
  const std::string msg_id(first.json().at("msgId").as_string());
  ASSERT_TRUE(eventually([&] { return status_of(msg_id) == "success"; }));
  EXPECT_EQ(attempts(msg_id).size(), 2u);
  const auto delivered = receiver.requests().back();
  EXPECT_EQ(delivered.body, body);  // byte for byte
  auto message = client_->get("/api/v1/app/app/msg/" + msg_id).json();
  EXPECT_EQ(message.at("eventType"), json::value("push"));

  // The provider retries the same delivery: recognised, answered 200, not routed again.
  auto again = github(body, "d-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(again.json().at("duplicate").as_bool());
  EXPECT_EQ(again.json().at("id"), first.json().at("id"));

  // A forged or changed request: 401 with the reason, and nothing routed.
  auto forged = github(body, "d-2", "not-the-secret");
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(forged.json().at("reason"), json::value("no_matching_signature"));
  EXPECT_EQ(deliver(server_->base_url(), "/in/github", body, {{"X-GitHub-Delivery", "d-3"}}).status, 401);

  const auto stats = client_->get("/api/v1/source/github").json().at("stats");
  EXPECT_EQ(stats.at("accepted"), json::value(1));
  EXPECT_EQ(stats.at("duplicates"), json::value(1));
  EXPECT_EQ(stats.at("rejected"), json::value(2));
  EXPECT_EQ(client_->get("/api/v1/app/app/msg").json().at("data").as_array().size(), 1u);

  // Kept as received, and replayable.
  auto kept = client_->get("/api/v1/source/github/request").json().at("data").as_array();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].at("body"), json::value(body));
  EXPECT_EQ(kept[0].at("dedupeKey"), json::value("d-1"));
  const std::string request_id(kept[0].at("id").as_string());
  auto replayed = client_->post("/api/v1/source/github/request/" + request_id + "/replay", "");
  ASSERT_EQ(replayed.status, 202) << replayed.body;
  const std::string replay_id(replayed.json().at("id").as_string());
  EXPECT_NE(replay_id, msg_id);
  ASSERT_TRUE(eventually([&] { return status_of(replay_id) == "success"; }));
}

TEST_F(IngressTest, AStripeSourceDedupesOnTheEventId) {
  start();
  Receiver receiver;
  source(R"({"name":"stripe","scheme":"stripe","secrets":["whsec_stripe_test"],"app":"app"})", receiver.url());
  const std::string body = R"({"id":"evt_1","object":"event","type":"invoice.paid"})";
  const auto signature = sign::sign_stripe("whsec_stripe_test", unix_now(), body);
  auto first = deliver(server_->base_url(), "/in/stripe", body, {{"Stripe-Signature", signature}});
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string msg_id(first.json().at("msgId").as_string());
  ASSERT_TRUE(eventually([&] { return status_of(msg_id) == "success"; }));
  EXPECT_EQ(client_->get("/api/v1/app/app/msg/" + msg_id).json().at("eventType"), json::value("invoice.paid"));
  // Stripe signs each retry anew; the event id is what recognises it.
  const auto resigned = sign::sign_stripe("whsec_stripe_test", unix_now() + 1, body);
  auto retry = deliver(server_->base_url(), "/in/stripe", body, {{"Stripe-Signature", resigned}});
  EXPECT_TRUE(retry.json().at("duplicate").as_bool());
  // Too old a timestamp is refused.
  const auto stale = sign::sign_stripe("whsec_stripe_test", unix_now() - 3600, body);
  auto refused = deliver(server_->base_url(), "/in/stripe", body, {{"Stripe-Signature", stale}});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json().at("reason"), json::value("timestamp_too_old"));
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(IngressTest, SlacksUrlVerificationIsAnswered) {
  start();
  Receiver receiver;
  source(R"({"name":"slack","scheme":"slack","secrets":["slack-signing-secret"],"app":"app"})", receiver.url());
  const std::string body = R"({"token":"t","challenge":"c-123","type":"url_verification"})";
  const auto now = unix_now();
  auto answer = deliver(server_->base_url(), "/in/slack", body,
                        {{"X-Slack-Request-Timestamp", std::to_string(now)},
                         {"X-Slack-Signature", sign::sign_slack("slack-signing-secret", now, body)}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json().at("challenge"), json::value("c-123"));
  EXPECT_EQ(client_->get("/api/v1/app/app/msg").json().at("data").as_array().size(), 0u);
}

TEST_F(IngressTest, SourcesFromTheConfigurationFileWork) {
  store::Source configured;
  configured.name = "hooks";
  configured.scheme = "basic";
  configured.secrets = {"sender:pa55"};
  configured.app_id = "from-config";  // a uid: created at start
  configured.event_type = "partner.ping";
  config_.sources = {configured};
  start();  // configured sources belong to the default organization (the one `hookd jwt generate` makes tokens for)
  // The application was made at start: endpoints can be added to it.
  EXPECT_EQ(client_->post("/api/v1/app/from-config/endpoint", R"({"url":"http://127.0.0.1:1/x"})").status, 201);
  auto accepted =
      deliver(server_->base_url(), "/in/hooks", R"({"ping":1})", {{"Authorization", "Basic c2VuZGVyOnBhNTU="}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const std::string msg_id(accepted.json().at("msgId").as_string());
  EXPECT_EQ(client_->get("/api/v1/app/from-config/msg/" + msg_id).json().at("eventType"), json::value("partner.ping"));
  EXPECT_EQ(deliver(server_->base_url(), "/in/hooks", "{}", {{"Authorization", "Basic c2VuZGVyOndyb25n"}}).status, 401);
  // The credentials are not kept with the request.
  auto kept = client_->get("/api/v1/source/hooks/request").json().at("data").as_array();
  ASSERT_EQ(kept.size(), 1u);
  for (const auto& header : kept[0].at("headers").as_array()) {
    if (header.as_array()[0] == json::value("Authorization")) {
      EXPECT_EQ(header.as_array()[1], json::value("(not kept)"));
    }
  }
}

TEST_F(IngressTest, HooksFilesAreServedBesideTheApi) {
  std::filesystem::create_directories(data_dir_);
  const auto file = (data_dir_ / "hooks.json").string();
  std::ofstream(file) << R"([{"id":"echo","execute-command":"/bin/echo","include-command-output-in-response":true,
    "pass-arguments-to-command":[{"source":"payload","name":"who"}]}])";
  config_.hooks_files = {file};
  start();
  auto ran = deliver(server_->base_url(), "/hooks/echo", R"({"who":"hookd"})", {});
  EXPECT_EQ(ran.status, 200);
  EXPECT_EQ(ran.body, "hookd\n");
  auto unknown = deliver(server_->base_url(), "/hooks/nope", "{}", {});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "Hook not found.");
  EXPECT_EQ(client_->get("/api/v1/health").status, 200);
}

TEST_F(IngressTest, SourcesAreCheckedWhenTheyAreMade) {
  start();
  EXPECT_EQ(client_->post("/api/v1/app", R"({"name":"App","uid":"app"})").status, 201);
  EXPECT_EQ(client_->post("/api/v1/source", R"({"name":"a","scheme":"rot13","secrets":["x"],"app":"app"})").status,
            422);
  EXPECT_EQ(client_->post("/api/v1/source", R"({"name":"a","scheme":"github","secrets":[],"app":"app"})").status, 422);
  EXPECT_EQ(
      client_->post("/api/v1/source", R"({"name":"a","scheme":"standard","secrets":["nope"],"app":"app"})").status,
      422);
  EXPECT_EQ(client_->post("/api/v1/source", R"({"name":"a","scheme":"github","secrets":["s"],"app":"missing"})").status,
            422);
  EXPECT_EQ(client_->post("/api/v1/source", R"({"name":"bad name","scheme":"none","app":"app"})").status, 422);
  auto made = client_->post("/api/v1/source", R"({"name":"a","scheme":"none","app":"app","eventType":"fixed.type"})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json().at("url"), json::value(server_->base_url() + "/in/a"));
  EXPECT_EQ(client_->post("/api/v1/source", R"({"name":"a","scheme":"none","app":"app"})").status, 409);
  EXPECT_EQ(deliver(server_->base_url(), "/in/a", "{}", {}).status, 200);                       // scheme none: anyone
  EXPECT_EQ(client_->call("PATCH", "/api/v1/source/a", R"({"scheme":"github"})").status, 422);  // no secret
  EXPECT_EQ(client_->call("PATCH", "/api/v1/source/a", R"({"scheme":"github","secrets":["s"]})").status, 200);
  // The change holds at once: the ingress does not go on with what it had looked up.
  EXPECT_EQ(deliver(server_->base_url(), "/in/a", "{}", {}).status, 401);
  EXPECT_EQ(client_->get("/api/v1/source/a/secret").json().at("secrets"), json::parse(R"(["s"])"));
  EXPECT_EQ(client_->call("DELETE", "/api/v1/source/a").status, 204);
  EXPECT_EQ(deliver(server_->base_url(), "/in/a", "{}", {}).status, 404);
  // Another organization sees none of it.
  ApiClient other(server_->base_url(), server_->org_token("org_other"));
  EXPECT_EQ(other.get("/api/v1/source").json().at("data").as_array().size(), 0u);
  // A name that is not a name is refused, whichever route makes the source.
  EXPECT_EQ(client_->call("PUT", "/api/v1/source/bad%20name", R"({"scheme":"none","app":"app"})").status, 422);
}

TEST_F(IngressTest, SourceNamesBelongToTheirOrganization) {
  start();
  ApiClient other(server_->base_url(), server_->org_token("org_other"));
  for (ApiClient* client : {client_.get(), &other}) {
    EXPECT_EQ(client->post("/api/v1/app", R"({"name":"App","uid":"app"})").status, 201);
  }
  auto mine = client_->post("/api/v1/source", R"({"name":"shared","scheme":"none","app":"app","eventType":"mine"})");
  ASSERT_EQ(mine.status, 201) << mine.body;
  // The other organization learns nothing of the name, and may use it too.
  auto theirs = other.post("/api/v1/source", R"({"name":"shared","scheme":"none","app":"app","eventType":"theirs"})");
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  EXPECT_EQ(other.post("/api/v1/source", R"({"name":"shared","scheme":"none","app":"app"})").status, 409);
  // /in/{name} finds the default organization's source; any other's is found by its id, which its URL says.
  const std::string their_id(theirs.json().at("id").as_string());
  EXPECT_EQ(theirs.json().at("url"), json::value(server_->base_url() + "/in/" + their_id));
  EXPECT_EQ(deliver(server_->base_url(), "/in/shared", "{}", {}).status, 200);
  EXPECT_EQ(deliver(server_->base_url(), "/in/" + their_id, "{}", {}).status, 200);
  EXPECT_EQ(client_->get("/api/v1/app/app/msg").json().at("data").at(0).at("eventType"), json::value("mine"));
  EXPECT_EQ(other.get("/api/v1/app/app/msg").json().at("data").at(0).at("eventType"), json::value("theirs"));
  // Each organization changes and deletes its own.
  EXPECT_EQ(other.call("DELETE", "/api/v1/source/shared").status, 204);
  EXPECT_EQ(client_->get("/api/v1/source/shared").status, 200);
}

}  // namespace
}  // namespace hookd::testing

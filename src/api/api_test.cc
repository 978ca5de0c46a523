// The REST API in process: requests go through Api::handle against a real SQLite store (no network,
// no dispatcher). The HTTP server around it is tested in tests/integration.
#include "api/api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <thread>

#include "api/jwt.h"
#include "core/ids.h"
#include "store/forwarding_store.h"
#include "support/loopback.h"
#include "support/postgres.h"

namespace hookd::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("hookd-api-" + core::new_id(""));
    std::filesystem::create_directories(directory_);
    database_ = std::make_unique<hookd::testing::TestStore>(directory_);
    auto opened = database_->open();
    ASSERT_TRUE(opened) << opened.error().detail;
    store_ = std::move(*opened);
    ApiOptions options;
    options.jwt_secret = "test-secret";
    options.public_url = "http://127.0.0.1:8071";
    api_ = std::make_unique<Api>(*store_, nullptr, core::SystemClock::instance(), options);
    token_ = issue_token({"org_test", std::nullopt, std::nullopt}, "test-secret", core::SystemClock::instance().now());
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    database_.reset();
    std::filesystem::remove_all(directory_);
  }

  net::HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                         std::optional<std::string> token = std::nullopt, const std::string& idempotency_key = "") {
    net::HttpRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.headers.add("authorization", "Bearer " + token.value_or(token_));
    if (!idempotency_key.empty()) request.headers.add("idempotency-key", idempotency_key);
    return api_->handle(request);
  }

  static json::value parse(const net::HttpResponse& response) { return json::parse(response.body); }

  std::string create_app(const std::string& body = R"({"name":"Shop"})") {
    auto response = call("POST", "/api/v1/app", body);
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(parse(response).at("id").as_string());
  }

  std::filesystem::path directory_;
  std::unique_ptr<hookd::testing::TestStore> database_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
  std::string token_;
};

TEST_F(ApiTest, RefusesMissingForgedAndNoneTokens) {
  EXPECT_EQ(call("GET", "/api/v1/app", "", "").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/app", "", token_ + "x").status, 401);
  const auto forged =
      issue_token({"org_test", std::nullopt, std::nullopt}, "guess", core::SystemClock::instance().now());
  const auto response = call("GET", "/api/v1/app", "", forged);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(parse(response).at("code"), "authentication_failed");
  EXPECT_NE(parse(call("GET", "/api/v1/app", "", "test-secret")).at("detail").as_string().find("signing secret"),
            std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/health", "", "").status, 200);
}

TEST_F(ApiTest, UnknownRoutesAndMethodsAnswerJson) {
  auto unknown = call("GET", "/api/v1/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(parse(unknown).at("code"), "not_found");
  auto method = call("DELETE", "/api/v1/app");
  EXPECT_EQ(method.status, 405);
  EXPECT_TRUE(parse(method).is_object());
  EXPECT_EQ(call("GET", "/api/v1/app/").status, 200);  // a trailing slash is ignored
}

TEST_F(ApiTest, ApplicationsFollowSvixSemantics) {
  const std::string id = create_app(R"({"name":"Shop","uid":"shop-1","metadata":{"tier":"gold"},"rateLimit":5})");
  auto got = parse(call("GET", "/api/v1/app/shop-1"));
  EXPECT_EQ(got.at("id"), json::value(id));
  EXPECT_EQ(got.at("throttleRate"), 5);
  EXPECT_EQ(got.at("rateLimit"), 5);
  EXPECT_EQ(got.at("metadata").at("tier"), "gold");
  EXPECT_EQ(call("POST", "/api/v1/app", R"({"name":"Again","uid":"shop-1"})").status, 409);
  auto existing = call("POST", "/api/v1/app?get_if_exists=true", R"({"name":"Again","uid":"shop-1"})");
  EXPECT_EQ(existing.status, 200);
  EXPECT_EQ(parse(existing).at("id"), json::value(id));

  auto created = call("PUT", "/api/v1/app/new-uid", R"({"name":"Put"})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(parse(created).at("uid"), "new-uid");
  auto updated = call("PUT", "/api/v1/app/new-uid", R"({"name":"Put 2","uid":"new-uid"})");
  EXPECT_EQ(updated.status, 200);
  EXPECT_EQ(parse(updated).at("name"), "Put 2");
  auto patched = call("PATCH", "/api/v1/app/" + id, R"({"name":"Patched"})");
  EXPECT_EQ(parse(patched).at("uid"), "shop-1");  // PATCH leaves other fields alone
  EXPECT_EQ(call("DELETE", "/api/v1/app/" + id).status, 204);
  EXPECT_EQ(call("GET", "/api/v1/app/" + id).status, 404);
}

TEST_F(ApiTest, ValidationErrorsListEveryField) {
  auto response = call("POST", "/api/v1/app", R"({"uid":"bad uid!","rateLimit":0})");
  ASSERT_EQ(response.status, 422);
  const auto detail = parse(response).at("detail").as_array();
  EXPECT_EQ(detail.size(), 3u);
  EXPECT_EQ(detail[0].at("loc"), json::array({"body", "name"}));
  EXPECT_EQ(detail[0].at("type"), "value_error");
  EXPECT_EQ(call("POST", "/api/v1/app", "{not json").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/app", "[1,2]").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/app", std::string(100, '[') + std::string(100, ']')).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/app?limit=251").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/app?limit=abc").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/app?order=sideways").status, 422);
}

TEST_F(ApiTest, TextHoldingTheNulCharacterOrOtherBytesIsRefusedByName) {
  // JSON allows "\u0000"; neither PostgreSQL's text nor a C string can keep it, so it is refused on both
  // stores, naming the field. A payload keeps it, escaped as sent.
  auto named = call("POST", "/api/v1/app", R"({"name":"Sh\u0000op"})");
  ASSERT_EQ(named.status, 422) << named.body;
  EXPECT_EQ(parse(named).at("detail").at(0).at("loc"), json::array({"body", "name"}));
  EXPECT_EQ(call("POST", "/api/v1/app", R"({"name":"Shop","metadata":{"k\u0000":"v"}})").status, 422);
  const std::string app = create_app();
  const std::string endpoints = "/api/v1/app/" + app + "/endpoint";
  EXPECT_EQ(call("POST", endpoints, R"({"url":"https://example.com","description":"\u0000"})").status, 422);
  EXPECT_EQ(call("POST", endpoints, R"({"url":"https://example.com","headers":{"X-A":"\u0000"}})").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/app/" + app + "/msg?channel=a%00b").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/app/" + app + "/msg?channel=caf%E9").status, 422);
  // A path segment that is not text matches no route (rather than being looked up).
  for (const char* target : {"/api/v1/app/a%00b", "/api/v1/app/caf%E9"}) {
    const auto answer = call("GET", target);
    EXPECT_EQ(answer.status, 404);
    EXPECT_NE(answer.body.find("no route for"), std::string::npos) << answer.body;
  }
  auto app_name = call("POST", "/api/v1/app/new-app/msg",
                       R"({"eventType":"x","payload":{},"application":{"name":"N\u0000","uid":"new-app"}})");
  ASSERT_EQ(app_name.status, 422);
  EXPECT_EQ(parse(app_name).at("detail").at(0).at("loc"), json::array({"body", "application", "name"}));
  EXPECT_EQ(call("POST", "/api/v1/auth/app-portal-access/portal-app", R"({"application":{"name":"N\u0000"}})").status,
            422);
  EXPECT_EQ(call("POST", "/api/v1/app/new-app/msg",
                 R"({"eventType":"x","payload":{},"application":{"name":"N","uid":"bad uid"}})")
                .status,
            422);

  const std::string payload = R"({"note":"a\u0000b"})";
  auto created = call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"x","payload":)" + payload + "}");
  ASSERT_EQ(created.status, 202) << created.body;
  EXPECT_EQ(store_->get_message(app, std::string(parse(created).at("id").as_string()))->payload, payload);
}

TEST_F(ApiTest, ListsPageWithIterators) {
  for (int i = 0; i < 5; ++i) create_app();
  auto first = parse(call("GET", "/api/v1/app?limit=2"));
  EXPECT_EQ(first.at("data").as_array().size(), 2u);
  EXPECT_EQ(first.at("done"), false);
  const std::string next = std::string(first.at("iterator").as_string());
  auto second = parse(call("GET", "/api/v1/app?limit=2&iterator=" + next));
  EXPECT_NE(second.at("data").as_array()[0].at("id"), first.at("data").as_array()[0].at("id"));
  const std::string previous = std::string(second.at("prevIterator").as_string());
  auto back = parse(call("GET", "/api/v1/app?limit=2&iterator=" + previous));
  EXPECT_EQ(back.at("data"), first.at("data"));
  auto empty = parse(call("GET", "/api/v1/event-type"));
  EXPECT_TRUE(empty.at("iterator").is_null());
  EXPECT_EQ(empty.at("done"), true);
}

TEST_F(ApiTest, EndpointsValidateUrlsEventTypesAndHeaders) {
  const std::string app = create_app();
  const std::string base = "/api/v1/app/" + app + "/endpoint";
  EXPECT_EQ(call("POST", base, R"({"url":"ftp://x"})").status, 422);
  EXPECT_EQ(call("POST", base, R"({"url":"not a url"})").status, 422);
  auto missing = call("POST", base, R"({"url":"https://example.com","filterTypes":["a.b"]})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body.find("a.b"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/event-type", R"({"name":"a.b","description":"x"})").status, 201);
  EXPECT_EQ(call("POST", base, R"({"url":"https://example.com","headers":{"svix-id":"x"}})").status, 422);
  EXPECT_EQ(call("POST", base, R"({"url":"https://example.com","headers":{"Content-Type":"x"}})").status, 422);
  EXPECT_EQ(call("POST", base, R"({"url":"https://example.com","secret":"whsec_short"})").status, 422);

  auto created = call("POST", base, R"({"url":"https://example.com/h","filterTypes":["a.b"],"uid":"ep-1"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto endpoint = parse(created);
  EXPECT_EQ(endpoint.at("eventTypes"), json::array({"a.b"}));
  EXPECT_EQ(endpoint.at("filterTypes"), json::array({"a.b"}));
  EXPECT_EQ(endpoint.at("version"), 1);
  EXPECT_TRUE(endpoint.at("channels").is_null());
  const auto secret = parse(call("GET", base + "/ep-1/secret")).at("key").as_string();
  EXPECT_TRUE(secret.starts_with("whsec_"));
}

TEST_F(ApiTest, EndpointsMayCarryTheirOwnRetrySchedule) {
  const std::string app = create_app();
  const std::string base = "/api/v1/app/" + app + "/endpoint";
  auto created = call("POST", base, R"({"url":"https://example.com","uid":"ep","retrySchedule":[5,60,3600]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(parse(created).at("retrySchedule"), json::array({5, 60, 3600}));
  EXPECT_EQ(store_->get_endpoint("org_test", app, "ep")->retry_schedule, (std::vector<int>{5, 60, 3600}));
  EXPECT_TRUE(parse(call("PATCH", base + "/ep", R"({"retrySchedule":null})")).at("retrySchedule").is_null());
  EXPECT_EQ(call("PATCH", base + "/ep", R"({"retrySchedule":[-1]})").status, 422);
  EXPECT_EQ(call("PATCH", base + "/ep", R"({"retrySchedule":"5s"})").status, 422);
  EXPECT_EQ(call("PATCH", base + "/ep", R"({"retrySchedule":[1.5]})").status, 422);
  // One message may not become a burst at the receiver: 20 retries at most, none sooner than 5 s.
  const auto burst = call("PATCH", base + "/ep", R"({"retrySchedule":[0,0,0]})");
  EXPECT_EQ(burst.status, 422);
  EXPECT_EQ(parse(burst).at("detail").at(0).at("loc"), json::array({"body", "retrySchedule"}));
  EXPECT_NE(parse(burst).at("detail").at(0).at("msg").as_string().find("from 5 to 604800"), std::string::npos);
  std::string many = "[";
  for (int i = 0; i < 21; ++i) many += std::string(i ? "," : "") + "5";
  EXPECT_EQ(call("PATCH", base + "/ep", R"({"retrySchedule":)" + many + "]}").status, 422);
  EXPECT_EQ(call("PATCH", base + "/ep", R"({"retrySchedule":)" + many.substr(0, many.size() - 2) + "]}").status, 200);
}

TEST_F(ApiTest, HttpsOnlyRefusesPlainHttpEndpoints) {
  ApiOptions options;
  options.jwt_secret = "test-secret";
  options.https_only = true;
  api_ = std::make_unique<Api>(*store_, nullptr, core::SystemClock::instance(), options);
  const std::string app = create_app();
  auto refused = call("POST", "/api/v1/app/" + app + "/endpoint", R"({"url":"http://example.com/hook"})");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("https_only"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/endpoint", R"({"url":"https://example.com/hook"})").status, 201);
}

TEST_F(ApiTest, RotationKeepsTheOldKeyAndHeadersHideSensitiveValues) {
  const std::string app = create_app();
  const std::string base = "/api/v1/app/" + app + "/endpoint";
  ASSERT_EQ(call("POST", base, R"({"url":"https://example.com","uid":"ep"})").status, 201);
  const auto before = parse(call("GET", base + "/ep/secret")).at("key");
  EXPECT_EQ(call("POST", base + "/ep/secret/rotate", R"({"key":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})").status,
            204);
  EXPECT_EQ(parse(call("GET", base + "/ep/secret")).at("key"), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  auto stored = store_->get_endpoint("org_test", app, "ep");
  ASSERT_EQ(stored->keys.size(), 2u);
  EXPECT_EQ(json::value(stored->keys[1].secret), before);
  EXPECT_TRUE(stored->keys[1].expires_at);

  EXPECT_EQ(call("PUT", base + "/ep/headers", R"({"headers":{"X-Team":"a","Authorization":"Bearer s"}})").status, 204);
  EXPECT_EQ(call("PATCH", base + "/ep/headers", R"({"headers":{"x-team":null,"X-Env":"prod"}})").status, 204);
  auto headers = parse(call("GET", base + "/ep/headers"));
  EXPECT_EQ(headers.at("headers"), json::object({{"X-Env", "prod"}}));
  EXPECT_EQ(headers.at("sensitive"), json::array({"Authorization"}));
  EXPECT_EQ(call("PATCH", base + "/ep/headers", R"({"headers":{"webhook-id":"x"}})").status, 422);
}

TEST_F(ApiTest, MessagesKeepThePayloadByteForByte) {
  const std::string app = create_app();
  const std::string payload = "{ \"amount\" :1.50,\n \"n\":\"caf\xc3\xa9\\u00e9\" , \"z\":[ ] }";
  auto created =
      call("POST", "/api/v1/app/" + app + "/msg",
           R"({"eventType":"invoice.paid","payload":)" + payload + R"(,"eventId":"evt-1","channels":["c1"]})");
  ASSERT_EQ(created.status, 202) << created.body;
  EXPECT_NE(created.body.find("\"payload\":" + payload), std::string::npos);
  const std::string id = std::string(parse(created).at("id").as_string());
  EXPECT_EQ(store_->get_message(app, id)->payload, payload);
  EXPECT_EQ(parse(call("GET", "/api/v1/app/" + app + "/msg/evt-1")).at("id"), json::value(id));
  auto without = parse(call("GET", "/api/v1/app/" + app + "/msg/" + id + "?with_content=false"));
  EXPECT_EQ(without.at("payload"), json::object());

  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"x","payload":{},"eventId":"evt-1"})").status,
            409);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"x","data":{"legacy":true}})").status, 202);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"x","payload":[1]})").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"x","payload":"{}"})").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"bad type","payload":{}})").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg",
                 R"({"eventType":"x","payload":{},"channels":["a","b","c","d","e","f"]})")
                .status,
            422);
  auto list = parse(call("GET", "/api/v1/app/" + app + "/msg?channel=c1"));
  EXPECT_EQ(list.at("data").as_array().size(), 1u);
}

TEST_F(ApiTest, MessagesCanCreateTheirApplication) {
  auto created = call("POST", "/api/v1/app/fresh-app/msg",
                      R"({"eventType":"x","payload":{},"application":{"name":"Fresh","uid":"fresh-app"}})");
  EXPECT_EQ(created.status, 202) << created.body;
  EXPECT_EQ(parse(call("GET", "/api/v1/app/fresh-app")).at("name"), "Fresh");
  EXPECT_EQ(call("POST", "/api/v1/app/other-app/msg", R"({"eventType":"x","payload":{}})").status, 404);
}

TEST_F(ApiTest, OrganizationsNeverSeeEachOthersData) {
  const std::string app = create_app();
  const auto other =
      issue_token({"org_other", std::nullopt, std::nullopt}, "test-secret", core::SystemClock::instance().now());
  EXPECT_EQ(call("GET", "/api/v1/app/" + app, "", other).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"x","payload":{}})", other).status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/app/" + app, "", other).status, 404);
  EXPECT_TRUE(parse(call("GET", "/api/v1/app", "", other)).at("data").as_array().empty());
}

TEST_F(ApiTest, ApplicationTokensReachOnlyTheirApplication) {
  const std::string mine = create_app();
  const std::string theirs = create_app();
  auto access = call("POST", "/api/v1/auth/app-portal-access/" + mine, "{}");
  ASSERT_EQ(access.status, 200) << access.body;
  const std::string token = std::string(parse(access).at("token").as_string());
  EXPECT_EQ(call("GET", "/api/v1/app/" + mine, "", token).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/app/" + mine + "/endpoint", "", token).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/app/" + theirs, "", token).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/app", "", token).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/event-type", R"({"name":"a","description":""})", token).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/event-type", "", token).status, 200);
}

TEST_F(ApiTest, IdempotencyKeysReplayTheFirstAnswer) {
  const std::string app = create_app();
  const std::string target = "/api/v1/app/" + app + "/msg";
  auto first = call("POST", target, R"({"eventType":"x","payload":{"n":1}})", std::nullopt, "key-1");
  auto second = call("POST", target, R"({"eventType":"x","payload":{"n":2}})", std::nullopt, "key-1");
  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(second.body, first.body);
  auto third = call("POST", target, R"({"eventType":"x","payload":{"n":3}})", std::nullopt, "key-2");
  EXPECT_NE(third.body, first.body);
  // A failed answer is not remembered.
  EXPECT_EQ(call("POST", "/api/v1/app", "{}", std::nullopt, "key-3").status, 422);
  EXPECT_EQ(call("POST", "/api/v1/app", R"({"name":"ok"})", std::nullopt, "key-3").status, 201);
}

TEST_F(ApiTest, AnIdempotentRetryIsRecognisedByAnotherNodeAndAfterARestart) {
  const std::string app = create_app();
  const std::string target = "/api/v1/app/" + app + "/msg";
  auto first = call("POST", target, R"({"eventType":"x","payload":{"n":1}})", std::nullopt, "retry-1");
  ASSERT_EQ(first.status, 202);
  // Another API on the same database (another node, or this one restarted) has none of the first one's
  // memory: the store has the answer.
  ApiOptions options;
  options.jwt_secret = "test-secret";
  options.public_url = "http://127.0.0.1:8071";
  Api other(*store_, nullptr, core::SystemClock::instance(), options);
  net::HttpRequest retry;
  retry.method = "POST";
  retry.target = target;
  retry.body = R"({"eventType":"x","payload":{"n":1}})";
  retry.headers.add("authorization", "Bearer " + token_);
  retry.headers.add("idempotency-key", "retry-1");
  auto second = other.handle(retry);
  EXPECT_EQ(second.status, 202);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.headers.find("content-type"), first.headers.find("content-type"));
  auto listed = call("GET", target);
  EXPECT_EQ(boost::json::parse(listed.body).at("data").as_array().size(), 1u);  // one message, not two
  // Another token's request with the same key is its own.
  retry.headers = {};
  retry.headers.add("authorization",
                    "Bearer " + issue_token({"org_test", std::nullopt, std::nullopt}, "test-secret",
                                            core::SystemClock::instance().now() - std::chrono::seconds(5)));
  retry.headers.add("idempotency-key", "retry-1");
  EXPECT_NE(other.handle(retry).body, first.body);
}

// A store whose reads wait while it is held, as a database does whose readers are all busy with slow
// queries. Writes (the group commit) go on.
class HeldReads : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    released_.notify_all();
  }
  int waiting() {
    std::lock_guard lock(mutex_);
    return waiting_;
  }
  store::Result<store::Application> get_application(std::string_view org, std::string_view app) override {
    wait();
    return ForwardingStore::get_application(org, app);
  }
  store::Result<store::Page<store::Message>> list_messages(std::string_view app_id, const store::PageQuery& page,
                                                           const store::MessageFilter& filter) override {
    wait();
    return ForwardingStore::list_messages(app_id, page, filter);
  }
  store::Result<store::Source> find_source(std::string_view source, std::string_view names_of) override {
    wait();
    return ForwardingStore::find_source(source, names_of);
  }

 private:
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    released_.wait(lock, [this] { return !held_; });
    --waiting_;
  }
  std::mutex mutex_;
  std::condition_variable released_;
  bool held_ = false;
  int waiting_ = 0;
};

// A store whose database has gone away.
class BrokenDatabase : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  store::Result<store::Page<store::Message>> list_messages(std::string_view, const store::PageQuery&,
                                                           const store::MessageFilter&) override {
    return core::error(core::ErrorCode::internal, "database: listing messages: table message is corrupt at page 7");
  }
  void ping(std::function<void(store::Status)> done) override {
    done(core::error(core::ErrorCode::unavailable, "database: ping: connection to 10.0.0.5:5432 refused"));
  }
};

TEST_F(ApiTest, ServerErrorsGiveARequestIdAndLeaveTheDetailToTheLog) {
  const std::string app = create_app();
  BrokenDatabase broken(*store_);
  std::vector<std::string> logged;
  ApiOptions options;
  options.jwt_secret = "test-secret";
  options.error = [&](const std::string& line) { logged.push_back(line); };
  Api api(broken, nullptr, core::SystemClock::instance(), options);
  net::HttpRequest list;
  list.method = "GET";
  list.target = "/api/v1/app/" + app + "/msg";
  list.headers.add("authorization", "Bearer " + token_);
  const auto failed = api.handle(list);
  EXPECT_EQ(failed.status, 500);
  const std::string id(failed.headers.find("x-request-id").value_or(""));
  ASSERT_TRUE(id.starts_with("req_")) << id;
  EXPECT_EQ(parse(failed).at("detail").as_string(), "internal server error (request " + id + ")");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find(id), std::string::npos);
  EXPECT_NE(logged[0].find("corrupt at page 7"), std::string::npos);

  // Health is unauthenticated: it says which part fails, not why.
  net::HttpRequest health;
  health.method = "GET";
  health.target = "/api/v1/health";
  const auto unhealthy = api.handle(health);
  EXPECT_EQ(unhealthy.status, 503);
  EXPECT_EQ(unhealthy.body.find("10.0.0.5"), std::string::npos) << unhealthy.body;
  EXPECT_EQ(parse(unhealthy).at("database").at("status"), "error");
  EXPECT_NE(logged.back().find("10.0.0.5"), std::string::npos);
}

TEST_F(ApiTest, PublishingAndHealthNeverWaitOnReadsHeldUp) {
  HeldReads held(*store_);
  // The blocking executor: a thread per job.
  std::mutex workers_mutex;
  std::vector<std::thread> workers;
  ApiOptions options;
  options.jwt_secret = "test-secret";
  Api api(held, nullptr, core::SystemClock::instance(), options, [&](std::function<void()> work) {
    std::lock_guard lock(workers_mutex);
    workers.emplace_back(std::move(work));
  });
  auto request = [&](const std::string& method, const std::string& target, const std::string& body = "") {
    net::HttpRequest out;
    out.method = method;
    out.target = target;
    out.body = body;
    out.headers.add("authorization", "Bearer " + token_);
    return out;
  };
  // handle() as an I/O thread calls it: it must return at once; the answer comes when it comes.
  auto on_io_thread = [&](net::HttpRequest http) {
    auto answered = std::make_shared<std::promise<net::HttpResponse>>();
    auto returned = std::async(std::launch::async, [&api, answered, http = std::move(http)]() mutable {
      api.handle(std::move(http), [answered](net::HttpResponse response) { answered->set_value(std::move(response)); });
    });
    if (returned.wait_for(5s) != std::future_status::ready) {
      ADD_FAILURE() << "handle() waited on the store";
      held.release();  // so that the test ends
    }
    return answered->get_future();
  };
  const std::string app = create_app(R"({"name":"Shop","uid":"shop"})");
  ASSERT_EQ(on_io_thread(request("POST", "/api/v1/app/shop/msg", R"({"eventType":"a","payload":{}})")).get().status,
            202);

  held.hold();
  std::vector<std::future<net::HttpResponse>> slow;
  for (int i = 0; i < 8; ++i) slow.push_back(on_io_thread(request("GET", "/api/v1/app/" + app + "/msg")));
  ASSERT_TRUE(hookd::testing::eventually([&] { return held.waiting() == 8; }));

  // While every read waits: publishing to a known application, and health, answer.
  auto published = on_io_thread(request("POST", "/api/v1/app/shop/msg", R"({"eventType":"a","payload":{}})"));
  ASSERT_EQ(published.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(published.get().status, 202);
  auto health = on_io_thread(request("GET", "/api/v1/health"));
  ASSERT_EQ(health.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(health.get().status, 200);
  auto ping = on_io_thread(request("GET", "/api/v1/health/ping"));
  ASSERT_EQ(ping.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ping.get().status, 204);
  // A request that needs a read waits for one, off the I/O thread.
  auto unknown = on_io_thread(request("POST", "/api/v1/app/" + app + "/msg", R"({"eventType":"a","payload":{}})"));
  EXPECT_EQ(unknown.wait_for(100ms), std::future_status::timeout);

  held.release();
  EXPECT_EQ(unknown.get().status, 202);
  for (auto& answer : slow) EXPECT_EQ(answer.get().status, 200);
  std::lock_guard lock(workers_mutex);
  for (auto& worker : workers) worker.join();
}

}  // namespace
}  // namespace hookd::api

// The Store's contract, on every database it runs on: each test runs on SQLite and on PostgreSQL (the
// tests' own server, from CTest's "postgres" fixture).
#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "core/ids.h"
#include "support/postgres.h"

namespace hookd::store::sql {
namespace {

using core::ErrorCode;
using namespace std::chrono_literals;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("hookd-store-" + core::new_id(""));
    std::filesystem::create_directories(directory_);
    if (GetParam() == "postgres") {
      const auto server = hookd::testing::test_postgres_dsn();
      if (!server) GTEST_SKIP() << "no PostgreSQL server for this run (CTest starts one)";
      schema_ = std::make_unique<hookd::testing::PostgresSchema>(*server);
      ASSERT_TRUE(schema_->ok()) << schema_->error();
    }
    open();
  }
  void TearDown() override {
    store_.reset();
    schema_.reset();
    std::filesystem::remove_all(directory_);
  }
  // Opens the store (again: a restart).
  void open() {
    store_.reset();
    auto opened = schema_ ? postgres::open_store({schema_->dsn(), 2, 2, 1024})
                          : sqlite::open_store({(directory_ / "hookd.db").string(), false, 2, 1024});
    ASSERT_TRUE(opened) << opened.error().detail;
    store_ = std::move(*opened);
  }

  Application app(std::string org = "org_a", std::optional<std::string> uid = std::nullopt) {
    const auto now = core::SystemClock::instance().now();
    Application out{core::new_id("app_"), std::move(org), std::move(uid), "App", std::nullopt, {}, now, now};
    auto created = db()->create_application(out);
    EXPECT_TRUE(created) << created.error().detail;
    return out;
  }

  Endpoint endpoint(const Application& owner, std::optional<std::vector<std::string>> types = std::nullopt,
                    std::optional<std::vector<std::string>> channels = std::nullopt) {
    const auto now = core::SystemClock::instance().now();
    Endpoint out;
    out.id = core::new_id("ep_");
    out.org_id = owner.org_id;
    out.app_id = owner.id;
    out.url = "http://127.0.0.1:1/hook";
    out.event_types = std::move(types);
    out.channels = std::move(channels);
    out.keys = {{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", std::nullopt}};
    out.created_at = out.updated_at = now;
    auto created = db()->create_endpoint(out);
    EXPECT_TRUE(created) << created.error().detail;
    return out;
  }

  void event_type(const std::string& name, const std::string& org = "org_a") {
    const auto now = core::SystemClock::instance().now();
    ASSERT_TRUE(db()->create_event_type({org, name, "desc", false, false, std::nullopt, std::nullopt, now, now}));
  }

  Result<CreatedMessage> publish(const Application& owner, std::string type,
                                 std::optional<std::vector<std::string>> channels = std::nullopt,
                                 std::optional<std::string> event_id = std::nullopt, Store* node = nullptr) {
    const auto now = core::SystemClock::instance().now();
    Message message{core::new_id("msg_"), owner.org_id, owner.id, std::move(type), std::move(event_id),
                    std::move(channels),  "{\"n\": 1}", now,      now + 24h};
    return (node ? node : db())->create_message({message, std::nullopt, true, nullptr});
  }

  // Through the interface, as the rest of hookd uses it.
  Store* db() { return store_.get(); }

  // Another node on the test's PostgreSQL schema, with 1 s leases.
  std::unique_ptr<SqlStore> node(const char* name) {
    auto opened = postgres::open_store({schema_->dsn(), 1, 1, 64, name, 1s});
    EXPECT_TRUE(opened) << opened.error().detail;
    return opened ? std::move(*opened) : nullptr;
  }

  std::filesystem::path directory_;
  std::unique_ptr<hookd::testing::PostgresSchema> schema_;
  std::unique_ptr<SqlStore> store_;
};

TEST_P(StoreTest, ApplicationsAreFoundByIdOrUidAndUidsAreUnique) {
  const Application a = app("org_a", "my-app");
  EXPECT_EQ(db()->get_application("org_a", a.id)->name, "App");
  EXPECT_EQ(db()->get_application("org_a", "my-app")->id, a.id);
  const auto now = core::SystemClock::instance().now();
  auto duplicate = db()->create_application({core::new_id("app_"), "org_a", "my-app", "B", {}, {}, now, now});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::conflict);
  // The same uid in another organization is another application.
  EXPECT_TRUE(db()->create_application({core::new_id("app_"), "org_b", "my-app", "B", {}, {}, now, now}));
}

TEST_P(StoreTest, OrganizationsNeverSeeEachOther) {
  const Application a = app("org_a");
  EXPECT_EQ(db()->get_application("org_b", a.id).error().code, ErrorCode::not_found);
  EXPECT_TRUE(db()->list_applications("org_b", {})->items.empty());
  EXPECT_EQ(db()->delete_application("org_b", a.id).error().code, ErrorCode::not_found);
  EXPECT_EQ(db()->get_endpoint("org_b", a.id, endpoint(a).id).error().code, ErrorCode::not_found);
}

TEST_P(StoreTest, ListsPageNewestFirstBothWays) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(app().id);
  auto first = db()->list_applications("org_a", {2, std::nullopt, false});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_FALSE(first->done);
  EXPECT_EQ(first->items[0].id, ids[4]);
  EXPECT_EQ(first->items[1].id, ids[3]);
  auto second = db()->list_applications("org_a", {2, first->items.back().id, false});
  EXPECT_EQ(second->items[0].id, ids[2]);
  auto third = db()->list_applications("org_a", {2, second->items.back().id, false});
  ASSERT_EQ(third->items.size(), 1u);
  EXPECT_TRUE(third->done);
  // Walking back from the third page returns the second, in the same order.
  auto back = db()->list_applications("org_a", {2, "-" + third->items.front().id, false});
  ASSERT_EQ(back->items.size(), 2u);
  EXPECT_EQ(back->items[0].id, ids[2]);
  EXPECT_EQ(back->items[1].id, ids[1]);
  auto ascending = db()->list_applications("org_a", {10, std::nullopt, true});
  EXPECT_EQ(ascending->items.front().id, ids[0]);
}

TEST_P(StoreTest, UpdatesInPlaceOrCreatesOnPut) {
  const Application a = app();
  auto renamed = db()->update_application("org_a", a.id, [](Application& x) {
    x.name = "Renamed";
    return core::Status{};
  });
  ASSERT_TRUE(renamed);
  EXPECT_FALSE(renamed->created);
  EXPECT_EQ(db()->get_application("org_a", a.id)->name, "Renamed");

  const auto now = core::SystemClock::instance().now();
  Application fresh{core::new_id("app_"), "org_a", "put-uid", "Put", std::nullopt, {}, now, now};
  auto created = db()->update_application(
      "org_a", "put-uid", [](Application&) { return core::Status{}; }, fresh);
  ASSERT_TRUE(created);
  EXPECT_TRUE(created->created);
  auto refused = db()->update_application("org_a", a.id, [](Application&) -> core::Status {
    return core::invalid({"body", "name"}, "no");
  });
  EXPECT_EQ(refused.error().code, ErrorCode::validation);
}

TEST_P(StoreTest, DeletedApplicationsFreeTheirUid) {
  const Application a = app("org_a", "reused");
  ASSERT_TRUE(db()->delete_application("org_a", "reused"));
  EXPECT_EQ(db()->get_application("org_a", a.id).error().code, ErrorCode::not_found);
  app("org_a", "reused");
}

TEST_P(StoreTest, EventTypesArchiveAndExpunge) {
  event_type("user.created");
  event_type("user.deleted");
  EXPECT_EQ(db()->create_event_type({"org_a", "user.created", "", false, false, {}, {}, {}, {}}).error().code,
            ErrorCode::conflict);
  ASSERT_TRUE(db()->delete_event_type("org_a", "user.created", false));
  EXPECT_TRUE(db()->get_event_type("org_a", "user.created")->archived);
  EXPECT_EQ(db()->list_event_types("org_a", {50, std::nullopt, true}, false)->items.size(), 1u);
  EXPECT_EQ(db()->list_event_types("org_a", {50, std::nullopt, true}, true)->items.size(), 2u);
  ASSERT_TRUE(db()->delete_event_type("org_a", "user.created", true));
  EXPECT_EQ(db()->get_event_type("org_a", "user.created").error().code, ErrorCode::not_found);
}

TEST_P(StoreTest, EndpointsMayOnlyFilterOnExistingEventTypes) {
  const Application a = app();
  Endpoint e;
  e.id = core::new_id("ep_");
  e.org_id = a.org_id;
  e.app_id = a.id;
  e.url = "http://x";
  e.event_types = std::vector<std::string>{"nope.one", "nope.two"};
  auto refused = db()->create_endpoint(e);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::validation);
  EXPECT_NE(refused.error().detail.find("nope.one, nope.two"), std::string::npos);
}

TEST_P(StoreTest, MessagesFanOutToMatchingEndpointsOnly) {
  event_type("invoice.paid");
  event_type("invoice.failed");
  const Application a = app();
  const Endpoint all = endpoint(a);
  const Endpoint paid_only = endpoint(a, std::vector<std::string>{"invoice.paid"});
  const Endpoint channel_x = endpoint(a, std::nullopt, std::vector<std::string>{"x"});
  Endpoint disabled = endpoint(a);
  ASSERT_TRUE(db()->update_endpoint(a.org_id, a.id, disabled.id, [](Endpoint& e) {
    e.disabled = true;
    return core::Status{};
  }));

  auto targets = [](const CreatedMessage& created) {
    std::set<std::string> ids;
    for (const auto& task : created.tasks) ids.insert(task.endpoint_id);
    return ids;
  };
  EXPECT_EQ(targets(*publish(a, "invoice.paid")), (std::set<std::string>{all.id, paid_only.id}));
  EXPECT_EQ(targets(*publish(a, "invoice.failed")), (std::set<std::string>{all.id}));
  EXPECT_EQ(targets(*publish(a, "invoice.failed", std::vector<std::string>{"x", "y"})),
            (std::set<std::string>{all.id, channel_x.id}));
  EXPECT_EQ(targets(*publish(a, "invoice.paid", std::vector<std::string>{"y"})),
            (std::set<std::string>{all.id, paid_only.id}));
}

TEST_P(StoreTest, EventIdsAreUniquePerApplication) {
  const Application a = app();
  const Application b = app();
  ASSERT_TRUE(publish(a, "t", std::nullopt, "evt-1"));
  EXPECT_EQ(publish(a, "t", std::nullopt, "evt-1").error().code, ErrorCode::conflict);
  EXPECT_TRUE(publish(b, "t", std::nullopt, "evt-1"));
  EXPECT_EQ(db()->get_message(a.id, "evt-1")->event_id, "evt-1");
}

TEST_P(StoreTest, MessageListsFilter) {
  const Application a = app();
  ASSERT_TRUE(publish(a, "a.one", std::vector<std::string>{"c1"}));
  ASSERT_TRUE(publish(a, "a.two", std::vector<std::string>{"c2"}));
  ASSERT_TRUE(publish(a, "a.two"));
  EXPECT_EQ(db()->list_messages(a.id, {}, {})->items.size(), 3u);
  MessageFilter by_channel;
  by_channel.channel = "c2";
  EXPECT_EQ(db()->list_messages(a.id, {}, by_channel)->items.size(), 1u);
  MessageFilter by_type;
  by_type.event_types = std::vector<std::string>{"a.two", "a.three"};
  EXPECT_EQ(db()->list_messages(a.id, {}, by_type)->items.size(), 2u);
  MessageFilter old;
  old.before = core::SystemClock::instance().now() - 1h;
  EXPECT_TRUE(db()->list_messages(a.id, {}, old)->items.empty());
  MessageFilter recent;
  recent.after = core::SystemClock::instance().now() - 1h;
  EXPECT_EQ(db()->list_messages(a.id, {}, recent)->items.size(), 3u);
}

TEST_P(StoreTest, PagesOfLargePayloadsStopAtTheByteBudget) {
  const Application a = app();
  const auto now = core::SystemClock::instance().now();
  const std::string payload = "{\"pad\":\"" + std::string(1 << 20, 'x') + "\"}";  // a little over 1 MiB
  for (int i = 0; i < 10; ++i) {
    Message message{core::new_id("msg_"), a.org_id, a.id, "t", std::nullopt, std::nullopt, payload, now, now + 1h};
    ASSERT_TRUE(db()->create_message({message, std::nullopt, true, nullptr}));
  }
  PageQuery page;
  page.limit = 250;
  std::size_t seen = 0;
  int pages = 0;
  while (true) {
    auto listed = db()->list_messages(a.id, page, {});
    ASSERT_TRUE(listed);
    ++pages;
    seen += listed->items.size();
    ASSERT_GE(listed->items.size(), 1u);
    EXPECT_LE(listed->items.size(), 4u);  // 4 MiB, and the item that passed it
    if (listed->done) break;
    page.iterator = listed->items.back().id;
  }
  EXPECT_EQ(seen, 10u);
  EXPECT_GE(pages, 3);
}

TEST_P(StoreTest, PayloadsAreKeptByteForByteAndCanBeExpunged) {
  const Application a = app();
  const auto now = core::SystemClock::instance().now();
  const std::string payload = "{ \"b\" : 2,\n\"a\":\"\xc3\xa9\\u00e9\" }";
  Message message{core::new_id("msg_"), a.org_id, a.id, "t", std::nullopt, std::nullopt, payload, now, now + 1h};
  ASSERT_TRUE(db()->create_message({message, std::nullopt, true, nullptr}));
  EXPECT_EQ(db()->get_message(a.id, message.id)->payload, payload);
  ASSERT_TRUE(db()->expunge_message_content(a.id, message.id));
  EXPECT_FALSE(db()->get_message(a.id, message.id)->payload);
}

TEST_P(StoreTest, ExpiredPayloadsArePurgedInBatches) {
  const Application a = app();
  const auto now = core::SystemClock::instance().now();
  std::vector<std::string> expired;
  for (int i = 0; i < 5; ++i) {
    Message message{core::new_id("msg_"), a.org_id,      a.id,     "t",     std::nullopt,
                    std::nullopt,         "{\"old\":1}", now - 2h, now - 1h};
    ASSERT_TRUE(db()->create_message({message, std::nullopt, true, nullptr}));
    expired.push_back(message.id);
  }
  Message kept{core::new_id("msg_"), a.org_id, a.id, "t", std::nullopt, std::nullopt, "{\"new\":1}", now, now + 1h};
  ASSERT_TRUE(db()->create_message({kept, std::nullopt, true, nullptr}));

  EXPECT_EQ(*db()->purge_expired_payloads(now, 3), 3);
  EXPECT_EQ(*db()->purge_expired_payloads(now, 3), 2);
  EXPECT_EQ(*db()->purge_expired_payloads(now, 3), 0);
  for (const auto& id : expired) {
    auto message = db()->get_message(a.id, id);
    ASSERT_TRUE(message);  // the message stays, without its payload
    EXPECT_FALSE(message->payload);
  }
  EXPECT_EQ(db()->get_message(a.id, kept.id)->payload, "{\"new\":1}");
}

TEST_P(StoreTest, PruningDeletesOldMessagesButKeepsPendingOnes) {
  const Application a = app();
  const Endpoint e = endpoint(a);
  std::vector<CreatedMessage> old;
  for (int i = 0; i < 5; ++i) old.push_back(*publish(a, "t"));
  const auto cutoff = core::SystemClock::instance().now() + 1ms;
  std::this_thread::sleep_for(2ms);
  auto recent = publish(a, "t");
  const auto now = core::SystemClock::instance().now();
  // Four of the old ones were delivered (one attempt each); the fifth is still pending.
  std::vector<DeliveryOutcome> outcomes;
  for (std::size_t i = 0; i < 4; ++i) {
    Attempt attempt{
        core::new_id("atmpt_"), a.org_id, a.id, old[i].message.id, e.id, e.url, "ok", 200, 1, MessageStatus::success,
        TriggerType::scheduled, now};
    outcomes.push_back(
        {attempt, old[i].message.id, e.id, DestinationUpdate{MessageStatus::success, 1, std::nullopt, false}});
  }
  db()->record_outcomes(std::move(outcomes));
  ASSERT_TRUE(db()->flush());

  PruneBatch total;
  std::optional<std::string> after;
  int steps = 0;
  do {
    auto batch = db()->prune_messages(cutoff, after, 2);
    ASSERT_TRUE(batch);
    total.messages += batch->messages;
    total.attempts += batch->attempts;
    total.kept_pending += batch->kept_pending;
    after = batch->last;
    ++steps;
  } while (after && steps < 10);
  EXPECT_EQ(total.messages, 4);
  EXPECT_EQ(total.attempts, 4);
  EXPECT_EQ(total.kept_pending, 1);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(db()->get_message(a.id, old[i].message.id).error().code, ErrorCode::not_found);
  }
  EXPECT_TRUE(db()->get_message(a.id, old[4].message.id));
  EXPECT_TRUE(db()->get_message(a.id, recent->message.id));
  EXPECT_EQ(db()->list_message_destinations(a.id, old[0].message.id, {})->items.size(), 0u);
}

TEST_P(StoreTest, ManyOutcomesAtOnceAreAllRecorded) {
  // A busy dispatcher hands over many outcomes in one call: full runs of rows and the rest, each to its
  // own delivery; then one delivery updated twice in one call, where the last update stands.
  const Application a = app();
  const Endpoint e = endpoint(a);
  const Endpoint other = endpoint(a);
  std::vector<CreatedMessage> created;
  for (int i = 0; i < 37; ++i) created.push_back(*publish(a, "t"));
  const auto now = core::SystemClock::instance().now();
  std::vector<DeliveryOutcome> outcomes;
  for (int i = 0; i < 37; ++i) {
    const std::string& msg_id = created[static_cast<std::size_t>(i)].message.id;
    for (const Endpoint* to : {&e, &other}) {
      const bool success = i % 2 == 0;
      Attempt attempt{core::new_id("atmpt_"),
                      a.org_id,
                      a.id,
                      msg_id,
                      to->id,
                      to->url,
                      "r" + std::to_string(i),
                      success ? 200 : 500,
                      i,
                      success ? MessageStatus::success : MessageStatus::fail,
                      TriggerType::scheduled,
                      now};
      outcomes.push_back({attempt, msg_id, to->id,
                          success ? DestinationUpdate{MessageStatus::success, 1, std::nullopt, false}
                                  : DestinationUpdate{MessageStatus::pending, 1, now + 1h, false}});
    }
  }
  db()->record_outcomes(std::move(outcomes));
  const std::string& twice = created[0].message.id;
  db()->record_outcomes({{std::nullopt, twice, e.id, DestinationUpdate{MessageStatus::pending, 2, now, false}},
                         {std::nullopt, twice, e.id, DestinationUpdate{MessageStatus::fail, 3, std::nullopt, false}}});
  ASSERT_TRUE(db()->flush());

  for (int i = 0; i < 37; ++i) {
    const std::string& msg_id = created[static_cast<std::size_t>(i)].message.id;
    AttemptFilter filter;
    filter.msg_id = msg_id;
    const auto attempts = db()->list_attempts(a.id, {}, filter);
    ASSERT_EQ(attempts->items.size(), 2u) << i;
    EXPECT_EQ(attempts->items[0].response, "r" + std::to_string(i));
    EXPECT_EQ(attempts->items[0].response_duration_ms, i);
    const auto destinations = db()->list_message_destinations(a.id, msg_id, {});
    ASSERT_TRUE(destinations);
    ASSERT_EQ(destinations->items.size(), 2u);
    for (const auto& destination : destinations->items) {
      const MessageStatus expected = i == 0 && destination.endpoint.id == e.id ? MessageStatus::fail
                                     : i % 2 == 0                              ? MessageStatus::success
                                                                               : MessageStatus::pending;
      EXPECT_EQ(destination.destination.status, expected) << i;
      if (expected == MessageStatus::pending) {
        EXPECT_EQ(destination.destination.next_attempt_at, now + 1h) << i;
      }
    }
  }
  EXPECT_EQ(db()->endpoint_stats(a.id, e.id, std::nullopt, std::nullopt)->fail, 1);
}

TEST_P(StoreTest, OutcomesBecomeAttemptsAndDestinationStates) {
  const Application a = app();
  const Endpoint e = endpoint(a);
  auto created = publish(a, "t");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->tasks.size(), 1u);
  const auto now = core::SystemClock::instance().now();
  Attempt attempt{
      core::new_id("atmpt_"), a.org_id, a.id, created->message.id, e.id, e.url, "nope", 500, 12, MessageStatus::fail,
      TriggerType::scheduled, now};
  db()->record_outcomes(
      {{attempt, created->message.id, e.id, DestinationUpdate{MessageStatus::pending, 1, now - 1s, false}}});

  // The destination is back in the queue, due, and claimable once.
  auto due = db()->claim_due(e.id, now, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->tasks.size(), 1u);
  EXPECT_EQ(due->tasks[0].attempts, 1);
  EXPECT_EQ(*due->tasks[0].payload, "{\"n\": 1}");
  EXPECT_FALSE(due->next_due);
  EXPECT_TRUE(db()->claim_due(e.id, now, 10)->tasks.empty());

  AttemptFilter by_message;
  by_message.msg_id = created->message.id;
  auto attempts = db()->list_attempts(a.id, {}, by_message);
  ASSERT_EQ(attempts->items.size(), 1u);
  EXPECT_EQ(attempts->items[0].response_status_code, 500);
  AttemptFilter by_endpoint;
  by_endpoint.endpoint_id = e.id;
  by_endpoint.status_code_class = 500;
  EXPECT_EQ(db()->list_attempts(a.id, {}, by_endpoint)->items.size(), 1u);
  by_endpoint.status_code_class = 200;
  EXPECT_TRUE(db()->list_attempts(a.id, {}, by_endpoint)->items.empty());
  EXPECT_EQ(db()->get_attempt(a.id, created->message.id, attempt.id)->response, "nope");
  ASSERT_TRUE(db()->expunge_attempt_content(a.id, created->message.id, attempt.id));
  EXPECT_EQ(db()->get_attempt(a.id, created->message.id, attempt.id)->response, "");

  db()->record_outcomes(
      {{std::nullopt, created->message.id, e.id, DestinationUpdate{MessageStatus::fail, 8, std::nullopt, false}}});
  ASSERT_TRUE(db()->flush());
  auto stats = db()->endpoint_stats(a.id, e.id, std::nullopt, std::nullopt);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->fail, 1);
  auto destinations = db()->list_message_destinations(a.id, created->message.id, {});
  ASSERT_EQ(destinations->items.size(), 1u);
  EXPECT_EQ(destinations->items[0].destination.status, MessageStatus::fail);
  // Recovering puts the failed delivery back in the queue, due now, for one more try.
  EXPECT_EQ(*db()->requeue_failed(a.id, e.id, now - 1h, std::nullopt, now), 1);
  EXPECT_EQ(*db()->requeue_failed(a.id, e.id, now - 1h, std::nullopt, now), 0);
  auto recovered = db()->claim_due(e.id, now, 10);
  ASSERT_EQ(recovered->tasks.size(), 1u);
  EXPECT_EQ(recovered->tasks[0].msg_id, created->message.id);
  EXPECT_EQ(recovered->tasks[0].attempts, 8);
  auto messages = db()->list_endpoint_messages(a.id, e.id, {}, {});
  ASSERT_EQ(messages->items.size(), 1u);
  EXPECT_EQ(messages->items[0].message.id, created->message.id);
}

TEST_P(StoreTest, ClaimsSurviveAsQueueRowsAcrossARestart) {
  const Application a = app();
  const Endpoint e = endpoint(a);
  ASSERT_TRUE(publish(a, "t"));
  ASSERT_TRUE(publish(a, "t"));
  open();                                        // a new process: whatever it held in memory is gone
  EXPECT_TRUE(db()->unclaimed_work()->empty());  // still claimed by the old process…
  ASSERT_TRUE(db()->release_all_claims());       // …until the new one releases its claims at start
  auto work = db()->unclaimed_work();
  ASSERT_EQ(work->size(), 1u);
  EXPECT_EQ((*work)[0].first, e.id);
  auto claimed = db()->claim_due(e.id, core::SystemClock::instance().now(), 1);
  EXPECT_EQ(claimed->tasks.size(), 1u);
  EXPECT_TRUE(claimed->next_due);  // the other one waits, due already
  EXPECT_EQ(db()->claim_due(e.id, core::SystemClock::instance().now(), 10)->tasks.size(), 1u);
}

TEST_P(StoreTest, OnASharedDatabaseOneNodeAtATimeDeliversForAnApplication) {
  if (!schema_) GTEST_SKIP() << "SQLite has one node";
  const Application a = app();
  const Endpoint e = endpoint(a);
  auto node_a = node("node-a");
  auto node_b = node("node-b");
  const auto now = [] { return core::SystemClock::instance().now(); };

  // The first node with work for the application takes its lease and claims at once; the other one
  // leaves its message in the queue, and cannot claim it either.
  EXPECT_EQ(publish(a, "t", std::nullopt, std::nullopt, node_a.get())->tasks.size(), 1u);
  auto queued = publish(a, "t", std::nullopt, std::nullopt, node_b.get());
  EXPECT_TRUE(queued->tasks.empty());
  EXPECT_TRUE(node_b->claim_due(e.id, now(), 10)->tasks.empty());
  EXPECT_EQ(node_a->claim_due(e.id, now(), 10)->tasks.size(), 1u);

  // node-a dies (no release): once its lease has expired, node-b takes it over with its claims.
  node_a.reset();
  EXPECT_TRUE(node_b->claim_due(e.id, now(), 10)->tasks.empty());
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(node_b->unclaimed_work()->size(), 1u);
  EXPECT_EQ(node_b->claim_due(e.id, now(), 10)->tasks.size(), 2u);

  // node-b stops and gives its work back: another node claims it at once.
  ASSERT_TRUE(node_b->release_all_claims());
  EXPECT_EQ(db()->claim_due(e.id, now(), 10)->tasks.size(), 2u);
}

TEST_P(StoreTest, ALeaseOutlivesItsWorkByOneTermOnly) {
  if (!schema_) GTEST_SKIP() << "SQLite has one node";
  const Application a = app();
  const Endpoint e = endpoint(a);
  auto node_a = node("node-a");
  auto node_b = node("node-b");
  const auto now = [] { return core::SystemClock::instance().now(); };

  // While node-a holds work of the application (claimed, in its memory), it keeps the lease.
  auto first = publish(a, "t", std::nullopt, std::nullopt, node_a.get());
  ASSERT_EQ(first->tasks.size(), 1u);
  std::this_thread::sleep_for(1500ms);
  auto second = publish(a, "t", std::nullopt, std::nullopt, node_b.get());
  EXPECT_TRUE(second->tasks.empty());
  ASSERT_EQ(node_a->claim_due(e.id, now(), 10)->tasks.size(), 1u);

  // Both delivered: node-a stops renewing, and once the lease has run out the next node with work for
  // the application takes it. (A node renews only what it works for: a lease per application ever seen
  // would be renewed forever.)
  std::vector<DeliveryOutcome> delivered;
  for (const auto* message : {&first->message, &second->message}) {
    delivered.push_back(
        {std::nullopt, message->id, e.id, DestinationUpdate{MessageStatus::success, 1, std::nullopt, false}});
  }
  node_a->record_outcomes(std::move(delivered));
  ASSERT_TRUE(node_a->flush());
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(publish(a, "t", std::nullopt, std::nullopt, node_b.get())->tasks.size(), 1u);
}

TEST_P(StoreTest, ANodeHearsWhenAnotherTookItsLeaseOver) {
  if (!schema_) GTEST_SKIP() << "SQLite has one node";
  const Application a = app();
  endpoint(a);
  auto node_a = node("node-a");
  std::mutex mutex;
  std::vector<std::string> lost;
  ChangeHandlers handlers;
  handlers.lease_lost = [&](const std::string& app_id) {
    std::lock_guard lock(mutex);
    lost.push_back(app_id);
  };
  node_a->watch(std::move(handlers));
  EXPECT_EQ(publish(a, "t", std::nullopt, std::nullopt, node_a.get())->tasks.size(), 1u);
  // node-a stalls; node-b takes the lease over (as it would once the lease expired).
  auto other = postgres::PostgresConnection::open(schema_->dsn()).value();
  ASSERT_TRUE(other->exec("UPDATE app_lease SET node_id = 'node-b'"));
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (!lost.empty()) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(lost, std::vector<std::string>{a.id});
  node_a->watch({});
}

TEST_P(StoreTest, ADroppedDatabaseConnectionIsMadeAgain) {
  if (!schema_) GTEST_SKIP() << "SQLite has no connection to lose";
  const Application first = app();
  ASSERT_GT(schema_->drop_connections(), 0);  // as a server restart or a failover would
  // Between transactions, a broken connection is made again before the statement runs: the next write
  // and the next read go through.
  const auto now = core::SystemClock::instance().now();
  const Application second{core::new_id("app_"), "org_a", std::nullopt, "Again", std::nullopt, {}, now, now};
  auto created = db()->create_application(second);
  EXPECT_TRUE(created) << created.error().detail;
  auto read = db()->get_application("org_a", first.id);
  EXPECT_TRUE(read) << read.error().detail;
  EXPECT_TRUE(db()->get_application("org_a", second.id));
  const Endpoint e = endpoint(first);
  EXPECT_EQ(publish(first, "t")->tasks.size(), 1u);  // prepared statements are prepared again
  (void)e;
}

TEST_P(StoreTest, ConcurrentChangesFromSeveralNodesAreNotLost) {
  const Application a = app();
  const Endpoint e = endpoint(a);
  // Two nodes on PostgreSQL; SQLite has one writer, which gives the same guarantee.
  std::unique_ptr<SqlStore> other;
  if (schema_) other = postgres::open_store({schema_->dsn(), 1, 1, 64, "node-b", 30s}).value();
  Store* nodes[] = {db(), other ? other.get() : db()};
  std::vector<std::thread> writers;
  for (int n = 0; n < 2; ++n) {
    writers.emplace_back([&, n] {
      for (int i = 0; i < 40; ++i) {
        auto saved = nodes[n]->update_endpoint(a.org_id, a.id, e.id, [&](Endpoint& changed) -> core::Status {
          changed.metadata["n" + std::to_string(n) + "-" + std::to_string(i)] = "x";
          return {};
        });
        EXPECT_TRUE(saved) << saved.error().detail;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(db()->get_endpoint(a.org_id, a.id, e.id)->metadata.size(), 80u);  // every change kept
}

TEST_P(StoreTest, ConcurrentWritesShareCommits) {
  const Application a = app();
  endpoint(a);
  const auto before = store_->commit_batches();
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) ASSERT_TRUE(publish(a, "t"));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(db()->list_messages(a.id, {250, std::nullopt, false}, {})->items.size(), 250u);
  EXPECT_LT(store_->commit_batches() - before, 320u);
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace hookd::store::sql

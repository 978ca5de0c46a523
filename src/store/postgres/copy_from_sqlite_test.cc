// Moving an SQLite database to PostgreSQL, as a user who outgrew one machine does: what hookd kept on
// SQLite reads the same through the PostgreSQL store, and its queue waits there for the new nodes.
#include "store/postgres/copy_from_sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "core/ids.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/postgres.h"

namespace hookd::store::postgres {
namespace {

using namespace std::chrono_literals;

class CopyFromSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto server = hookd::testing::test_postgres_dsn();
    if (!server) GTEST_SKIP() << "no PostgreSQL server for this run (CTest starts one)";
    schema_ = std::make_unique<hookd::testing::PostgresSchema>(*server);
    ASSERT_TRUE(schema_->ok()) << schema_->error();
    directory_ = std::filesystem::temp_directory_path() / ("hookd-copy-" + core::new_id(""));
    std::filesystem::create_directories(directory_);
    path_ = (directory_ / "hookd.db").string();
  }
  void TearDown() override {
    schema_.reset();
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  std::unique_ptr<hookd::testing::PostgresSchema> schema_;
  std::filesystem::path directory_;
  std::string path_;
};

std::int64_t rows_of(const CopyReport& report, const std::string& table) {
  for (const auto& [name, rows] : report.tables) {
    if (name == table) return rows;
  }
  return -1;
}

TEST_F(CopyFromSqliteTest, EverythingArrivesAndTheQueueWaitsForTheNewNodes) {
  const auto now = core::SystemClock::instance().now();
  const Application app{core::new_id("app_"), "org_a", "shop", "Shop", 5, {{"tier", "gold"}}, now, now};
  Endpoint endpoint;
  endpoint.id = core::new_id("ep_");
  endpoint.org_id = app.org_id;
  endpoint.app_id = app.id;
  endpoint.url = "https://example.com/hook";
  endpoint.keys = {{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", std::nullopt}};
  endpoint.channels = std::vector<std::string>{"eu"};
  endpoint.created_at = endpoint.updated_at = now;
  const std::string answer_body("\x00\xff\xfe binary", 10);
  std::vector<std::string> messages;
  {
    auto sqlite = sqlite::open_store({path_, false, 1, 16});
    ASSERT_TRUE(sqlite) << sqlite.error().detail;
    ASSERT_TRUE((*sqlite)->create_application(app));
    ASSERT_TRUE((*sqlite)->create_endpoint(endpoint));
    ASSERT_TRUE((*sqlite)->create_event_type(
        {"org_a", "order.paid", "Paid", false, false, std::nullopt, std::nullopt, now, now}));
    // Five messages, claimed as the SQLite node's dispatcher would hold them, in batches of two below.
    for (int i = 0; i < 5; ++i) {
      Message message{core::new_id("msg_"),
                      app.org_id,
                      app.id,
                      "order.paid",
                      std::nullopt,
                      std::vector<std::string>{"eu"},
                      "{\"n\": " + std::to_string(i) + ", \"s\": \"caf\xc3\xa9\"}",
                      now,
                      now + 24h};
      ASSERT_TRUE((*sqlite)->create_message({message, std::nullopt, true, nullptr}));
      messages.push_back(message.id);
    }
    // An answer an older hookd kept as the receiver sent it: Latin-1, with a NUL.
    Attempt attempt{core::new_id("atmpt_"),
                    app.org_id,
                    app.id,
                    messages[0],
                    endpoint.id,
                    endpoint.url,
                    std::string("caf\xe9\0!", 6),
                    500,
                    3,
                    MessageStatus::fail,
                    TriggerType::scheduled,
                    now};
    (*sqlite)->record_outcomes({{attempt, messages[0], endpoint.id, std::nullopt}});
    ASSERT_TRUE((*sqlite)->flush());
    std::promise<core::Status> kept;
    (*sqlite)->keep_answer_async("answer-key", {202, {{"content-type", "application/json"}}, answer_body, now},
                                 now - 24h, [&](core::Status status) { kept.set_value(std::move(status)); });
    ASSERT_TRUE(kept.get_future().get());
  }

  auto report = copy_from_sqlite({path_, schema_->dsn(), "the-sqlite-nodes-jwt-secret", 2});
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->schema_version, sqlite::schema_version());
  EXPECT_EQ(rows_of(*report, "application"), 1);
  EXPECT_EQ(rows_of(*report, "message"), 5);
  EXPECT_EQ(rows_of(*report, "message_content"), 5);
  EXPECT_EQ(rows_of(*report, "destination"), 5);
  EXPECT_EQ(rows_of(*report, "kept_answer"), 1);
  EXPECT_EQ(rows_of(*report, "app_lease"), -1);  // leases belong to the nodes that hold them
  EXPECT_TRUE(report->jwt_secret_kept);
  EXPECT_EQ(rows_of(*report, "attempt"), 1);
  EXPECT_EQ(report->replaced_text, 1);

  auto opened = open_store({schema_->dsn(), 1, 0, 16, "new-node", 30s});
  ASSERT_TRUE(opened) << opened.error().detail;
  Store& postgres = **opened;
  auto found = postgres.get_application("org_a", "shop");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, app.id);
  EXPECT_EQ(found->throttle_rate, 5);
  EXPECT_EQ(found->metadata, app.metadata);
  auto copied_endpoint = postgres.get_endpoint("org_a", app.id, endpoint.id);
  ASSERT_TRUE(copied_endpoint);
  EXPECT_EQ(copied_endpoint->keys[0].secret, endpoint.keys[0].secret);
  EXPECT_EQ(copied_endpoint->channels, endpoint.channels);
  EXPECT_TRUE(postgres.get_event_type("org_a", "order.paid"));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(postgres.get_message(app.id, messages[static_cast<std::size_t>(i)])->payload,
              "{\"n\": " + std::to_string(i) + ", \"s\": \"caf\xc3\xa9\"}");
  }
  // What the SQLite node held in memory (claimed, under no lease) is found, and taken over at the claim.
  auto work = postgres.unclaimed_work();
  ASSERT_TRUE(work);
  ASSERT_EQ(work->size(), 1u);
  EXPECT_EQ((*work)[0].first, endpoint.id);
  EXPECT_EQ(postgres.claim_due(endpoint.id, core::SystemClock::instance().now(), 10)->tasks.size(), 5u);
  AttemptFilter by_message;
  by_message.msg_id = messages[0];
  auto attempts = postgres.list_attempts(app.id, {}, by_message);
  ASSERT_EQ(attempts->items.size(), 1u);
  EXPECT_EQ(attempts->items[0].response, "caf\xef\xbf\xbd\xef\xbf\xbd!");
  auto answer = postgres.find_answer("answer-key", now - 1h);
  ASSERT_TRUE(answer && *answer);
  EXPECT_EQ((*answer)->body, answer_body);
  EXPECT_EQ((*answer)->status, 202);
  // Tokens the SQLite node issued stay valid: its secret is the one the nodes share.
  EXPECT_EQ(*postgres.shared_value("jwt_secret", "another"), "the-sqlite-nodes-jwt-secret");

  // A database that holds hookd data already is not copied into.
  auto again = copy_from_sqlite({path_, schema_->dsn(), std::nullopt, 2});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::conflict);
}

TEST_F(CopyFromSqliteTest, AMissingOrForeignFileIsRefused) {
  auto copied = copy_from_sqlite({(directory_ / "nothing-here.db").string(), schema_->dsn(), std::nullopt, 2});
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code, core::ErrorCode::not_found);
  EXPECT_FALSE(std::filesystem::exists(directory_ / "nothing-here.db"));

  std::ofstream(path_) << "not a database, and long enough for SQLite to read a header of it\n";
  auto garbage = copy_from_sqlite({path_, schema_->dsn(), std::nullopt, 2});
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().detail.find("is not a hookd database"), std::string::npos) << garbage.error().detail;
}

}  // namespace
}  // namespace hookd::store::postgres

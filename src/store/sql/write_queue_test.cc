#include "store/sql/write_queue.h"
#include "store/sqlite/sqlite_connection.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/ids.h"

namespace hookd::store::sql {
namespace {

TEST(WriteQueue, AFailedWriteIsUndoneAndTheOthersCommit) {
  const auto path = std::filesystem::temp_directory_path() / ("hookd-queue-" + core::new_id("") + ".db");
  auto connection = sqlite::SqliteConnection::open(path.string(), false);
  ASSERT_TRUE(connection);
  ASSERT_TRUE((*connection)->exec("CREATE TABLE t (v INTEGER PRIMARY KEY)"));
  {
    WriteQueue queue(std::move(*connection), 64);
    auto insert = [&](int value) {
      return queue.run<int>([value](Connection& db) -> core::Result<int> {
        auto statement = db.prepare("INSERT INTO t (v) VALUES (?1)");
        statement->bind(1, value);
        statement->step();
        if (statement->failed()) return core::error(core::ErrorCode::conflict, "duplicate");
        return value;
      });
    };
    EXPECT_EQ(*insert(1), 1);
    EXPECT_EQ(insert(1).error().code, core::ErrorCode::conflict);
    // A write that inserts and then fails leaves nothing behind.
    auto partial = queue.run<void>([](Connection& db) -> core::Status {
      (void)db.exec("INSERT INTO t (v) VALUES (2)");
      return core::error(core::ErrorCode::validation, "changed my mind");
    });
    EXPECT_FALSE(partial);
    EXPECT_EQ(*insert(3), 3);
    auto count = queue.run<int>([](Connection& db) -> core::Result<int> {
      auto statement = db.prepare("SELECT count(*), sum(v) FROM t");
      statement->step();
      return statement->integer(0) * 100 + statement->integer(1);
    });
    EXPECT_EQ(*count, 2 * 100 + 4);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace hookd::store::sql

// Tests on either database. A fresh PostgreSQL schema for one test, on the tests' own server
// (scripts/test-postgres.sh, started by CTest's "postgres" fixture), dropped when the object goes; and
// TestStore, which opens the store a test run asks for: CTest runs the suites that use it twice, once
// as they are (SQLite) and once with HOOKD_TEST_ON_POSTGRES naming the server's file (their names end
// in "/postgres").
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/ids.h"
#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace hookd::testing {

// The tests' server's connection string, or none when this run was not given one (a test binary run
// by hand, outside CTest).
inline std::optional<std::string> test_postgres_dsn() {
  const char* state = std::getenv("HOOKD_TEST_POSTGRES");
  if (state == nullptr) state = std::getenv("HOOKD_TEST_ON_POSTGRES");
  if (state == nullptr) return std::nullopt;
  std::ifstream file(state);
  std::string dsn;
  std::getline(file, dsn);
  // Named but empty: a connection string that fails, saying why, so that the tests fail rather than skip.
  if (dsn.empty()) return std::string("(HOOKD_TEST_POSTGRES names no server: ") + state + ")";
  return dsn;
}

class PostgresSchema {
 public:
  // Creates the schema; ok() says whether that worked, error() why not.
  explicit PostgresSchema(const std::string& server_dsn) {
    name_ = "t_" + core::new_id("");
    for (char& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto admin = store::postgres::PostgresConnection::open(server_dsn);
    if (!admin) {
      error_ = admin.error().detail;
      return;
    }
    if (auto created = (*admin)->exec("CREATE SCHEMA " + name_); !created) {
      error_ = created.error().detail;
      return;
    }
    server_dsn_ = server_dsn;
    // Every connection of the store under test works in the schema alone, and is named after it.
    dsn_ = server_dsn + (server_dsn.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_ +
           "&application_name=" + name_;
  }
  ~PostgresSchema() {
    if (server_dsn_.empty()) return;
    if (auto admin = store::postgres::PostgresConnection::open(server_dsn_)) {
      (void)(*admin)->exec("DROP SCHEMA " + name_ + " CASCADE");
    }
  }
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;

  bool ok() const { return !dsn_.empty(); }
  // Ends every server process serving the schema's connections, as a server restart or a failover
  // would; how many it ended.
  int drop_connections() const {
    auto admin = store::postgres::PostgresConnection::open(server_dsn_);
    if (!admin) return -1;
    (void)(*admin)->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + name_ +
                         "'");
    const int ended = static_cast<int>((*admin)->changes());
    // Terminating is a signal: wait until the processes are gone.
    for (int i = 0; i < 500; ++i) {
      (void)(*admin)->exec("SELECT 1 FROM pg_stat_activity WHERE application_name = '" + name_ + "'");
      if ((*admin)->changes() == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ended;
  }
  const std::string& error() const { return error_; }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string name_;
  std::string server_dsn_;
  std::string dsn_;
  std::string error_;
};

// Whether this run of the suite is on PostgreSQL.
inline bool test_store_is_postgres() { return std::getenv("HOOKD_TEST_ON_POSTGRES") != nullptr; }

// The store of one test: an SQLite file in `directory`, or a fresh PostgreSQL schema. open() may be
// called again (a restart) and opens the same database.
class TestStore {
 public:
  explicit TestStore(std::filesystem::path directory) : directory_(std::move(directory)) {
    if (!test_store_is_postgres()) return;
    schema_ = std::make_unique<PostgresSchema>(*test_postgres_dsn());  // set: HOOKD_TEST_ON_POSTGRES is
    if (!schema_->ok()) error_ = schema_->error();
  }

  core::Result<std::unique_ptr<store::sql::SqlStore>> open() const {
    if (!error_.empty()) return core::error(core::ErrorCode::internal, error_);
    if (schema_) return store::postgres::open_store({schema_->dsn(), 2, 2, 1024});
    return store::sqlite::open_store({(directory_ / "hookd.db").string(), false, 2, 1024});
  }
  // For a whole server: the connection string to set as db_dsn ("" on SQLite).
  std::string dsn() const { return schema_ ? schema_->dsn() : ""; }
  // Why the database cannot be used ("" when it can).
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path directory_;
  std::unique_ptr<PostgresSchema> schema_;
  std::string error_;
};

}  // namespace hookd::testing

// A fresh PostgreSQL schema for one test, on the tests' own server (scripts/test-postgres.sh, started by
// CTest's "postgres" fixture). The schema is dropped when the object goes.
#pragma once

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "core/ids.h"
#include "store/postgres/postgres_connection.h"

namespace hookd::testing {

// The tests' server's connection string, or none when this run was not given one (a test binary run
// by hand, outside CTest).
inline std::optional<std::string> test_postgres_dsn() {
  const char* state = std::getenv("HOOKD_TEST_POSTGRES");
  if (state == nullptr) return std::nullopt;
  std::ifstream file(state);
  std::string dsn;
  std::getline(file, dsn);
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
    // Every connection of the store under test works in the schema alone.
    dsn_ = server_dsn + (server_dsn.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
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
  const std::string& error() const { return error_; }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string name_;
  std::string server_dsn_;
  std::string dsn_;
  std::string error_;
};

}  // namespace hookd::testing

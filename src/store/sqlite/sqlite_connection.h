// sql::Connection on one sqlite3 connection.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "store/sql/connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hookd::store::sqlite {

class SqliteStatement final : public sql::Statement {
 public:
  explicit SqliteStatement(sqlite3_stmt* statement) : statement_(statement) {}
  using sql::Statement::bind;
  Statement& bind(int index, std::int64_t value) override;
  Statement& bind(int index, std::string_view text) override;
  Statement& bind_blob(int index, std::string_view bytes) override;
  Statement& bind_null(int index) override;
  bool step() override;
  bool failed() const override { return failed_; }
  void reset() override;
  bool is_null(int column) const override;
  std::int64_t int64(int column) const override;
  std::string text(int column) const override;

 private:
  sqlite3_stmt* statement_;
  bool failed_ = false;
};

class SqliteConnection final : public sql::Connection {
 public:
  // Opens (creating if needed) the database file. Fails with ErrorCode::internal.
  static core::Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, bool read_only);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  core::Status exec(std::string_view sql) override;
  sql::StatementScope prepare(const char* sql) override;
  core::Error error(std::string_view what) const override;
  bool last_was_constraint_violation() const override;
  std::int64_t changes() const override;
  // Takes the write lock at once, so that a transaction never fails half-way for want of it.
  const char* begin_write() const override { return "BEGIN IMMEDIATE"; }
  void announce(std::string_view) override {}
  core::Status before_commit() override { return {}; }
  bool transaction_failed() const override { return false; }
  core::Status lock_for_transaction(std::string_view) override { return {}; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<const char*, std::unique_ptr<SqliteStatement>> statements_;
};

}  // namespace hookd::store::sqlite

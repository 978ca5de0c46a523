// A thin RAII layer over one sqlite3 connection: prepared statements cached by their SQL constant,
// typed binds and columns, and transactions that roll back unless committed. Not thread-safe: one
// connection belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hookd::store::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}

  // Binds are 1-based, as in SQL ("?1").
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::string_view text);  // copied by SQLite
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Steps once: true when a row is ready; false when done or failed (then failed() is true and the
  // connection's error() says why).
  bool step();
  bool failed() const { return failed_; }
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;

  sqlite3_stmt* raw() const { return statement_; }

 private:
  sqlite3_stmt* statement_;
  bool failed_ = false;
};

// Resets a cached statement (and clears its binds) when the scope that used it ends.
class StatementScope {
 public:
  explicit StatementScope(Statement& statement) : statement_(statement) {}
  ~StatementScope() { statement_.reset(); }
  Statement& operator*() { return statement_; }
  Statement* operator->() { return &statement_; }

 private:
  Statement& statement_;
};

class Connection {
 public:
  // Opens (creating if needed) the database file. Fails with ErrorCode::internal.
  static core::Result<std::unique_ptr<Connection>> open(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without results (several statements allowed).
  core::Status exec(std::string_view sql);
  // The cached prepared statement for `sql`, a string constant (cached by its address).
  StatementScope prepare(const char* sql);

  // The last error, as an internal core::Error naming `what`.
  core::Error error(std::string_view what) const;
  // Whether the last failure was a UNIQUE or PRIMARY KEY violation.
  bool last_was_constraint_violation() const;
  std::int64_t changes() const;

  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<const char*, std::unique_ptr<Statement>> statements_;
};

// BEGIN … COMMIT, rolled back by the destructor unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& connection, bool immediate = false);
  ~Transaction();
  core::Status commit();
  bool ok() const { return began_; }

 private:
  Connection& connection_;
  bool began_ = false;
  bool done_ = false;
};

}  // namespace hookd::store::sqlite

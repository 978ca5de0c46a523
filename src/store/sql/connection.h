// What the SQL store needs of a database connection, whichever the database: prepared statements cached
// by their SQL constant, typed binds and columns, and transactions that roll back unless committed.
// SqliteConnection and PostgresConnection implement it. Not thread-safe: one connection belongs to one
// thread at a time.
//
// SQL text is written once, in the dialect both databases share: numbered parameters ("?1"), integer
// columns for booleans and times, JSON arrays as text read with json_each(text) (PostgreSQL's schema
// defines it), and bytes bound with bind_blob.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace hookd::store::sql {

class Statement {
 public:
  virtual ~Statement() = default;

  // Binds are 1-based, as in SQL ("?1"); a parameter left unbound is NULL. Values are copied.
  virtual Statement& bind(int index, std::int64_t value) = 0;
  virtual Statement& bind(int index, std::string_view text) = 0;
  virtual Statement& bind_blob(int index, std::string_view bytes) = 0;
  virtual Statement& bind_null(int index) = 0;
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Steps once: true when a row is ready; false when done or failed (then failed() is true and the
  // connection's error() says why).
  virtual bool step() = 0;
  virtual bool failed() const = 0;
  // Forgets the binds and the results, ready to run again.
  virtual void reset() = 0;

  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  // Text, or the bytes of a blob column.
  virtual std::string text(int column) const = 0;
  int integer(int column) const { return static_cast<int>(int64(column)); }
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  std::optional<std::int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
};

// Resets a cached statement when the scope that used it ends.
class StatementScope {
 public:
  explicit StatementScope(Statement& statement) : statement_(statement) {}
  ~StatementScope() { statement_.reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  Statement& operator*() { return statement_; }
  Statement* operator->() { return &statement_; }

 private:
  Statement& statement_;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs SQL without results (several statements allowed).
  virtual core::Status exec(std::string_view sql) = 0;
  // The cached prepared statement for `sql`, a string constant (cached by its address). SQL that does
  // not prepare is a bug (every constant is tested): the process stops with the database's reason.
  virtual StatementScope prepare(const char* sql) = 0;

  // The last error, as an internal core::Error naming `what`.
  virtual core::Error error(std::string_view what) const = 0;
  // Whether the last failure was a UNIQUE or PRIMARY KEY violation.
  virtual bool last_was_constraint_violation() const = 0;
  // Rows the last INSERT, UPDATE or DELETE changed.
  virtual std::int64_t changes() const = 0;
  // How this database begins a transaction that writes (SQLite takes its write lock at once).
  virtual const char* begin_write() const = 0;
  // Tells every node listening to the database, once the transaction commits (announcements are
  // gathered, without repeats, and sent by before_commit()). A database no other node shares (SQLite)
  // has no one to tell.
  virtual void announce(std::string_view announcement) = 0;
  // Runs just before COMMIT.
  virtual core::Status before_commit() = 0;
  // Makes the writes of other nodes that lock the same key wait for this transaction to end. SQLite has
  // one writer: every transaction waits for the others already.
  virtual core::Status lock_for_transaction(std::string_view key) = 0;
  // Whether a statement failed in a way that makes the transaction unusable until it rolls back (to a
  // savepoint). SQLite goes on after a failed statement; PostgreSQL does not.
  virtual bool transaction_failed() const = 0;
};

// BEGIN … COMMIT, rolled back by the destructor unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  core::Status commit();
  bool ok() const { return began_; }

 private:
  Connection& connection_;
  bool began_ = false;
  bool done_ = false;
};

}  // namespace hookd::store::sql

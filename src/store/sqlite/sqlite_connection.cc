#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>

namespace hookd::store::sqlite {

sql::Statement& SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

sql::Statement& SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

sql::Statement& SqliteStatement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

sql::Statement& SqliteStatement::bind_null(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(statement_);
  failed_ = rc != SQLITE_ROW && rc != SQLITE_DONE;
  return rc == SQLITE_ROW;
}

void SqliteStatement::reset() {
  failed_ = false;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

std::int64_t SqliteStatement::int64(int column) const { return sqlite3_column_int64(statement_, column); }

std::string SqliteStatement::text(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(size));
}

core::Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return core::error(core::ErrorCode::internal, "cannot open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10000);
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr; s = sqlite3_next_stmt(db_, nullptr)) {
    sqlite3_finalize(s);
  }
  sqlite3_close(db_);
}

core::Status SqliteConnection::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    core::Error failure{core::ErrorCode::internal, std::string("database: ") + (message ? message : "error"), {}};
    sqlite3_free(message);
    return fail(std::move(failure));
  }
  return {};
}

sql::StatementScope SqliteConnection::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      // Every SQL constant is fixed text tested by the suite: failing to prepare it is a bug.
      std::fprintf(stderr, "hookd: cannot prepare SQL: %s\n%s\n", sqlite3_errmsg(db_), sql);
      std::abort();
    }
    it = statements_.emplace(sql, std::make_unique<SqliteStatement>(statement)).first;
  }
  return sql::StatementScope(*it->second);
}

core::Error SqliteConnection::error(std::string_view what) const {
  // What passes once the machine has room, or the lock is free, or the disk answers again: the request
  // may be made again (503). The rest is hookd's or the file's fault (500).
  switch (sqlite3_errcode(db_) & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return core::Error{
          core::ErrorCode::unavailable, "database: " + std::string(what) + ": " + sqlite3_errmsg(db_), {}};
    default:
      return core::Error{core::ErrorCode::internal, "database: " + std::string(what) + ": " + sqlite3_errmsg(db_), {}};
  }
}

bool SqliteConnection::last_was_constraint_violation() const {
  const int code = sqlite3_extended_errcode(db_);
  return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

}  // namespace hookd::store::sqlite

// sql::Connection on one libpq connection. Statements are prepared on the server once per connection
// (named after their cache slot), run with text parameters, and read whole: step() walks the rows of
// the result. The shared dialect's "?N" parameters are sent as "$N". A connection that broke (the
// server restarted, a failover) reconnects at the next statement and prepares its statements again;
// the transaction it was in is lost, and its writes fail.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "store/sql/connection.h"

struct pg_conn;
struct pg_result;

namespace hookd::store::postgres {

class PostgresConnection;

class PostgresStatement final : public sql::Statement {
 public:
  // `types`: the parameters' type OIDs (0: inferred by the server).
  PostgresStatement(PostgresConnection& connection, std::string name, std::string text, std::vector<unsigned> types);
  ~PostgresStatement() override;
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
  friend class PostgresConnection;
  struct Parameter {
    std::optional<std::string> value;  // none: NULL
    bool binary = false;
  };
  Parameter& parameter(int index);
  bool execute();
  bool run_once();

  PostgresConnection& connection_;
  const std::string name_;
  const std::string text_;  // as sent to the server
  const std::vector<unsigned> types_;
  std::vector<Parameter> parameters_;
  std::uint64_t prepared_generation_ = 0;  // the connection's generation it was prepared in
  pg_result* result_ = nullptr;
  int row_ = -1;
  bool executed_ = false;
  bool failed_ = false;
};

class PostgresConnection final : public sql::Connection {
 public:
  // Connects with a libpq connection string or URI ("postgresql://user@host:port/db"). Fails with
  // ErrorCode::internal, saying why.
  static core::Result<std::unique_ptr<PostgresConnection>> open(const std::string& dsn);
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  core::Status exec(std::string_view sql) override;
  sql::StatementScope prepare(const char* sql) override;
  core::Error error(std::string_view what) const override;
  bool last_was_constraint_violation() const override;
  std::int64_t changes() const override { return changes_; }
  const char* begin_write() const override { return "BEGIN"; }
  // NOTIFY on kChannel: one notification of the transaction's announcements, a line each (in pieces
  // under PostgreSQL's 8000-byte bound).
  void announce(std::string_view announcement) override;
  core::Status before_commit() override;
  bool transaction_failed() const override;
  // An advisory lock on the key's hash, held until the transaction ends.
  core::Status lock_for_transaction(std::string_view key) override;

  // The channel of announcements.
  static constexpr const char* kChannel = "hookd_changes";
  // LISTENs on kChannel, then waits up to `timeout` for announcements and passes each to `heard`. False
  // when the connection broke (it reconnects, and listens again, at the next call).
  bool listen(std::chrono::milliseconds timeout, const std::function<void(const std::string&)>& heard);

  // "?N" parameters as PostgreSQL's "$N", outside quoted text.
  static std::string dialect(std::string_view sql);

 private:
  friend class PostgresStatement;
  explicit PostgresConnection(pg_conn* connection) : connection_(connection) {}
  // Reconnects when the connection broke; true when it is usable.
  bool ensure_connected();
  // Prepares `statement` on the server; false (with the error noted) when it cannot.
  bool prepare_on_server(PostgresStatement& statement);
  // Notes what a finished command said: its error, or the rows it changed.
  void note(pg_result* result);

  pg_conn* connection_;
  std::uint64_t generation_ = 1;  // grows with each reconnection, which forgets prepared statements
  std::map<const char*, std::unique_ptr<PostgresStatement>> statements_;
  std::string last_error_;
  std::string last_state_;  // SQLSTATE of the last failure
  std::int64_t changes_ = 0;
  bool listening_ = false;
  std::set<std::string> announcements_;  // gathered for the next commit
};

}  // namespace hookd::store::postgres

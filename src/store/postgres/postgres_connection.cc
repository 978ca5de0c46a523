#include "store/postgres/postgres_connection.h"

#include <libpq-fe.h>

#include <poll.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "core/encoding.h"

namespace hookd::store::postgres {
namespace {

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kTextOid = 25;
constexpr const char* kUniqueViolation = "23505";

void ignore_notice(void*, const char*) {}

// Times and bytes as this code reads them, whatever the server's defaults: set on every session.
constexpr const char* kSessionSettings = "SET client_encoding = 'UTF8'; SET bytea_output = 'hex'; SET TIME ZONE 'UTC'";

// libpq's messages end with a newline.
std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

// COMMIT of a transaction a failed statement aborted rolls it back, without an error.
constexpr const char* kRolledBack = "the transaction was rolled back: a statement in it had failed";
bool commit_rolled_back(std::string_view sql, pg_result* result) {
  return sql == "COMMIT" && std::string_view(PQcmdStatus(result)) == "ROLLBACK";
}

// The parameter types to prepare a statement with: one per number up to the highest "?N" of the shared
// dialect's SQL, unknown (0: the server infers it) for those the text uses, and text for numbers it
// skips (a statement may take a parameter it does not use, which the server cannot infer).
std::vector<Oid> parameter_types(std::string_view sql) {
  std::vector<Oid> types;
  std::vector<bool> used;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '?') continue;
    int number = 0;
    std::from_chars(sql.data() + i + 1, sql.data() + sql.size(), number);
    if (number <= 0) continue;
    if (used.size() < static_cast<std::size_t>(number)) used.resize(static_cast<std::size_t>(number));
    used[static_cast<std::size_t>(number - 1)] = true;
  }
  for (const bool is_used : used) types.push_back(is_used ? 0 : kTextOid);
  return types;
}

}  // namespace

PostgresStatement::PostgresStatement(PostgresConnection& connection, std::string name, std::string text,
                                     std::vector<unsigned> types)
    : connection_(connection),
      name_(std::move(name)),
      text_(std::move(text)),
      types_(std::move(types)),
      parameters_(types_.size()) {}

PostgresStatement::~PostgresStatement() { PQclear(result_); }

PostgresStatement::Parameter& PostgresStatement::parameter(int index) {
  if (index < 1 || static_cast<std::size_t>(index) > parameters_.size()) {
    std::fprintf(stderr, "hookd: SQL parameter ?%d out of range in: %s\n", index, text_.c_str());
    std::abort();
  }
  return parameters_[static_cast<std::size_t>(index - 1)];
}

sql::Statement& PostgresStatement::bind(int index, std::int64_t value) {
  parameter(index) = {std::to_string(value), false};
  return *this;
}

sql::Statement& PostgresStatement::bind(int index, std::string_view text) {
  parameter(index) = {std::string(text), false};
  return *this;
}

sql::Statement& PostgresStatement::bind_blob(int index, std::string_view bytes) {
  parameter(index) = {std::string(bytes), true};  // binary: bytea takes the bytes as they are
  return *this;
}

sql::Statement& PostgresStatement::bind_null(int index) {
  parameter(index) = {};
  return *this;
}

bool PostgresStatement::execute() {
  executed_ = true;
  // Outside a transaction, a statement that finds its connection broken (a restart, a failover, an idle
  // timeout) reconnects and runs once more: nothing of it can have happened. Inside one, the transaction
  // is lost, and the statement fails.
  const bool outside_transaction = PQtransactionStatus(connection_.connection_) == PQTRANS_IDLE;
  if (run_once() || !outside_transaction || PQstatus(connection_.connection_) == CONNECTION_OK) return !failed_;
  PQclear(result_);
  result_ = nullptr;
  return run_once();
}

bool PostgresStatement::run_once() {
  failed_ = false;
  if (!connection_.ensure_connected() ||
      (prepared_generation_ != connection_.generation_ && !connection_.prepare_on_server(*this))) {
    failed_ = true;
    return false;
  }
  for (const auto& parameter : parameters_) {
    // Text goes to the server as a C string, which would end at a NUL; PostgreSQL's text cannot hold one.
    if (parameter.value && !parameter.binary && parameter.value->find('\0') != std::string::npos) {
      connection_.last_error_ = "text holding the character U+0000 cannot be stored in PostgreSQL";
      connection_.last_state_.clear();
      failed_ = true;
      return false;
    }
  }
  std::vector<const char*> values(parameters_.size());
  std::vector<int> lengths(parameters_.size());
  std::vector<int> formats(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const auto& value = parameters_[i].value;
    values[i] = value ? value->c_str() : nullptr;
    lengths[i] = value ? static_cast<int>(value->size()) : 0;
    formats[i] = parameters_[i].binary ? 1 : 0;
  }
  result_ = PQexecPrepared(connection_.connection_, name_.c_str(), static_cast<int>(parameters_.size()), values.data(),
                           lengths.data(), formats.data(), 0);
  connection_.note(result_);
  const auto status = PQresultStatus(result_);
  failed_ = status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK;
  if (!failed_ && commit_rolled_back(text_, result_)) {
    connection_.last_error_ = kRolledBack;
    failed_ = true;
  }
  return !failed_;
}

bool PostgresStatement::step() {
  if (!executed_ && !execute()) return false;
  if (failed_ || result_ == nullptr) return false;
  ++row_;
  return row_ < PQntuples(result_);
}

void PostgresStatement::reset() {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  executed_ = false;
  failed_ = false;
  for (auto& parameter : parameters_) parameter = {};
}

bool PostgresStatement::is_null(int column) const { return PQgetisnull(result_, row_, column) == 1; }

std::int64_t PostgresStatement::int64(int column) const {
  const char* value = PQgetvalue(result_, row_, column);
  if (PQftype(result_, column) == kBoolOid) return value[0] == 't' ? 1 : 0;
  std::int64_t out = 0;
  std::from_chars(value, value + PQgetlength(result_, row_, column), out);
  return out;
}

std::string PostgresStatement::text(int column) const {
  const char* value = PQgetvalue(result_, row_, column);
  const auto length = static_cast<std::size_t>(PQgetlength(result_, row_, column));
  if (PQftype(result_, column) != kByteaOid) return std::string(value, length);
  // bytea in text form is "\x" and two hex digits a byte (bytea_output = hex, set on every session).
  if (length < 2) return {};
  return core::hex_decode(std::string_view(value + 2, length - 2)).value_or(std::string());
}

core::Result<std::unique_ptr<PostgresConnection>> PostgresConnection::open(const std::string& dsn) {
  pg_conn* connection = PQconnectdb(dsn.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    const std::string message = trimmed(connection ? PQerrorMessage(connection) : "out of memory");
    PQfinish(connection);
    return core::error(core::ErrorCode::internal, "cannot connect to PostgreSQL: " + message);
  }
  PQsetNoticeProcessor(connection, ignore_notice, nullptr);
  auto out = std::unique_ptr<PostgresConnection>(new PostgresConnection(connection));
  if (auto set = out->exec(kSessionSettings); !set) {
    return fail(std::move(set).error());
  }
  return out;
}

PostgresConnection::~PostgresConnection() {
  statements_.clear();
  PQfinish(connection_);
}

bool PostgresConnection::ensure_connected() {
  if (PQstatus(connection_) == CONNECTION_OK) return true;
  PQreset(connection_);
  if (PQstatus(connection_) != CONNECTION_OK) {
    last_error_ = PQerrorMessage(connection_);
    last_state_.clear();
    return false;
  }
  ++generation_;  // the new session has none of the old one's prepared statements
  (void)exec(kSessionSettings);
  return true;
}

void PostgresConnection::note(pg_result* result) {
  const auto status = PQresultStatus(result);
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    const char* tuples = PQcmdTuples(result);
    changes_ = 0;
    if (tuples != nullptr && *tuples != '\0') changes_ = std::atoll(tuples);
    return;
  }
  last_error_ = result ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_state_ = state ? state : "";
}

core::Status PostgresConnection::exec(std::string_view sql) {
  if (!ensure_connected()) return fail(error("connecting"));
  const std::string text(sql);
  pg_result* result = PQexec(connection_, text.c_str());
  note(result);
  const auto status = PQresultStatus(result);
  const bool rolled_back = commit_rolled_back(text, result);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(error("running SQL"));
  if (rolled_back) {
    last_error_ = kRolledBack;
    return fail(error("committing"));
  }
  return {};
}

std::string PostgresConnection::dialect(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    const bool numbered = i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9';
    out.push_back(c == '?' && !quoted && numbered ? '$' : c);
  }
  return out;
}

bool PostgresConnection::prepare_on_server(PostgresStatement& statement) {
  pg_result* result = PQprepare(connection_, statement.name_.c_str(), statement.text_.c_str(),
                                static_cast<int>(statement.types_.size()), statement.types_.data());
  note(result);
  const bool prepared = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (prepared) statement.prepared_generation_ = generation_;
  return prepared;
}

sql::StatementScope PostgresConnection::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto statement = std::make_unique<PostgresStatement>(*this, "s" + std::to_string(statements_.size() + 1),
                                                         dialect(sql), parameter_types(sql));
    if (ensure_connected() && !prepare_on_server(*statement) && PQstatus(connection_) == CONNECTION_OK) {
      // Every SQL constant is fixed text tested by the suite: failing to prepare it is a bug.
      std::fprintf(stderr, "hookd: cannot prepare SQL: %s\n%s\n", last_error_.c_str(), sql);
      std::abort();
    }
    it = statements_.emplace(sql, std::move(statement)).first;
  }
  return sql::StatementScope(*it->second);
}

core::Error PostgresConnection::error(std::string_view what) const {
  // The server is gone, restarting, out of room or connections, or chose this transaction to fail a
  // conflict: the request may be made again (503). The rest is hookd's fault (500).
  const std::string_view state = last_state_;
  const bool transient = PQstatus(connection_) != CONNECTION_OK || state.starts_with("08") || state.starts_with("53") ||
                         state.starts_with("57P") || state == "40001" || state == "40P01";
  return core::Error{transient ? core::ErrorCode::unavailable : core::ErrorCode::internal,
                     "database: " + std::string(what) + ": " + trimmed(last_error_),
                     {}};
}

bool PostgresConnection::last_was_constraint_violation() const { return last_state_ == kUniqueViolation; }

bool PostgresConnection::transaction_failed() const { return PQtransactionStatus(connection_) == PQTRANS_INERROR; }

core::Status PostgresConnection::lock_for_transaction(std::string_view key) {
  static constexpr const char* kLock = "SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))";
  auto statement = prepare(kLock);
  statement->bind(1, key);
  statement->step();
  if (statement->failed()) return fail(error("locking"));
  return {};
}

void PostgresConnection::announce(std::string_view announcement) { announcements_.emplace(announcement); }

core::Status PostgresConnection::before_commit() {
  static const std::string notify = std::string("SELECT pg_notify('") + kChannel + "', ?1)";
  static constexpr std::size_t kMaxPayload = 7000;
  std::string payload;
  auto send = [&]() -> core::Status {
    if (payload.empty()) return {};
    auto statement = prepare(notify.c_str());
    statement->bind(1, payload);
    statement->step();
    payload.clear();
    if (statement->failed()) return fail(error("announcing changes"));
    return {};
  };
  const auto announcements = std::move(announcements_);
  announcements_.clear();
  for (const auto& announcement : announcements) {
    if (payload.size() + announcement.size() + 1 > kMaxPayload) {
      if (auto sent = send(); !sent) return sent;
    }
    if (!payload.empty()) payload += '\n';
    payload += announcement;
  }
  return send();
}

bool PostgresConnection::listen(std::chrono::milliseconds timeout,
                                const std::function<void(const std::string&)>& heard) {
  if (PQstatus(connection_) != CONNECTION_OK) listening_ = false;
  if (!listening_) {
    if (!ensure_connected()) return false;
    if (!exec(std::string("LISTEN ") + kChannel)) return false;
    listening_ = true;
  }
  pollfd descriptor{PQsocket(connection_), POLLIN, 0};
  if (::poll(&descriptor, 1, static_cast<int>(timeout.count())) < 0) return true;  // interrupted
  if (PQconsumeInput(connection_) == 0) {
    listening_ = false;
    return false;
  }
  while (PGnotify* notification = PQnotifies(connection_)) {
    heard(notification->extra ? notification->extra : "");
    PQfreemem(notification);
  }
  return true;
}

}  // namespace hookd::store::postgres

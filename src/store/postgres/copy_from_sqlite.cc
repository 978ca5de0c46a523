#include "store/postgres/copy_from_sqlite.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include "core/encoding.h"

#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace hookd::store::postgres {
namespace {

using sql::Connection;
using sql::Statement;

// Not copied: what the migrations keep, and which node delivers which application (the new nodes take
// leases as they find work).
constexpr const char* kListTables =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    " AND name NOT IN ('schema_migrations', 'app_lease') ORDER BY name";
constexpr const char* kPostgresColumns =
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1";
constexpr const char* kKeepJwtSecret =
    "INSERT INTO setting (name, value) VALUES ('jwt_secret', ?1) ON CONFLICT (name) DO NOTHING";

// A batch of rows is sent as one INSERT, up to this many bytes of values.
constexpr std::size_t kMaxBatchBytes = 8u << 20;

enum class Kind { integer, text, blob };

struct Column {
  std::string name;
  Kind kind;
};

struct Cell {
  bool null = false;
  std::int64_t number = 0;
  std::string bytes;
};

// Table and column names come from the SQLite file: only hookd's plain names are put into SQL.
bool is_plain_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

core::Error failure(std::string message) { return core::Error{core::ErrorCode::internal, std::move(message), {}}; }

// The SQL this copy prepares. Connections cache statements by the address of their text, so the texts
// live here, longer than the connections.
class SqlTexts {
 public:
  const char* add(std::string text) { return texts_.emplace_back(std::move(text)).c_str(); }

 private:
  std::deque<std::string> texts_;
};

class Copier {
 public:
  Copier(SqlTexts& texts, Connection& from, Connection& to, std::size_t rows_per_insert)
      : texts_(texts), from_(from), to_(to), rows_per_insert_(std::max<std::size_t>(1, rows_per_insert)) {}

  core::Result<std::vector<std::string>> tables() {
    std::vector<std::string> names;
    auto list = from_.prepare(kListTables);
    while (list->step()) names.push_back(list->text(0));
    if (list->failed()) return fail(from_.error("listing the SQLite tables"));
    for (const auto& name : names) {
      if (!is_plain_name(name)) return fail(failure("the SQLite database has a table hookd did not make: " + name));
    }
    return names;
  }

  // The table's columns as SQLite declares them, checked against PostgreSQL's.
  core::Result<std::vector<Column>> columns(const std::string& table) {
    std::vector<Column> columns;
    auto info = from_.prepare(texts_.add("PRAGMA table_info(\"" + table + "\")"));
    while (info->step()) {
      std::string type = info->text(2);
      std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
      const Kind kind = type.find("INT") != std::string::npos ? Kind::integer
                        : type == "BLOB"                      ? Kind::blob
                                                              : Kind::text;
      columns.push_back({info->text(1), kind});
    }
    if (info->failed()) return fail(from_.error("reading the columns of " + table));

    std::set<std::string> theirs;
    auto target = to_.prepare(kPostgresColumns);
    target->bind(1, table);
    while (target->step()) theirs.insert(target->text(0));
    if (target->failed()) return fail(to_.error("reading the columns of " + table));
    std::set<std::string> ours;
    for (const auto& column : columns) {
      if (!is_plain_name(column.name)) return fail(failure("unexpected column " + table + "." + column.name));
      ours.insert(column.name);
    }
    if (theirs.empty()) return fail(failure("PostgreSQL has no table " + table));
    if (ours != theirs) return fail(failure("the table " + table + " has other columns in PostgreSQL"));
    return columns;
  }

  // Whether PostgreSQL already has rows in the table.
  core::Result<bool> holds_rows(const std::string& table) {
    auto any = to_.prepare(texts_.add("SELECT 1 FROM \"" + table + "\" LIMIT 1"));
    const bool found = any->step();
    if (any->failed()) return fail(to_.error("reading " + table));
    return found;
  }

  core::Result<std::int64_t> copy(const std::string& table, const std::vector<Column>& columns) {
    std::string names;
    for (const auto& column : columns) names += (names.empty() ? "\"" : ", \"") + column.name + "\"";
    const char* select = texts_.add("SELECT " + names + " FROM \"" + table + "\"");
    // A setting PostgreSQL has already (such as the JWT secret of a node started before) stays.
    const std::string keep = table == "setting" ? " ON CONFLICT (name) DO NOTHING" : "";
    // One INSERT per batch: as many rows as fit PostgreSQL's 65,535 parameters, fewer when they are big.
    const std::size_t batch_rows = std::min(rows_per_insert_, std::max<std::size_t>(1, 65535 / columns.size()));
    std::map<std::size_t, const char*> inserts;  // by rows
    const auto insert_of = [&](std::size_t rows) {
      auto& sql = inserts[rows];
      if (sql == nullptr) sql = texts_.add(insert_text(table, names, columns.size(), rows) + keep);
      return sql;
    };

    std::vector<std::vector<Cell>> rows;
    std::size_t bytes = 0;
    std::int64_t copied = 0;
    const auto send = [&]() -> core::Status {
      if (rows.empty()) return {};
      if (auto sent = insert(insert_of(rows.size()), rows, columns); !sent) {
        return core::error(sent.error().code, "copying rows into " + table + ": " + sent.error().detail);
      }
      copied += static_cast<std::int64_t>(rows.size());
      rows.clear();
      bytes = 0;
      return {};
    };

    auto read = from_.prepare(select);
    while (read->step()) {
      auto& row = rows.emplace_back(columns.size());
      for (std::size_t c = 0; c < columns.size(); ++c) {
        const int index = static_cast<int>(c);
        Cell& cell = row[c];
        cell.null = read->is_null(index);
        if (cell.null) continue;
        if (columns[c].kind == Kind::integer) {
          cell.number = read->int64(index);
        } else {
          cell.bytes = read->text(index);
          bytes += cell.bytes.size();
          // SQLite keeps any bytes in text; PostgreSQL only UTF-8 without NUL (older hookd let some in).
          if (columns[c].kind == Kind::text && !core::is_text(cell.bytes)) {
            cell.bytes = core::as_text(cell.bytes);
            ++replaced_;
          }
        }
      }
      if (rows.size() == batch_rows || bytes >= kMaxBatchBytes) {
        if (auto sent = send(); !sent) return fail(std::move(sent).error());
      }
    }
    if (read->failed()) return fail(from_.error("reading " + table));
    if (auto sent = send(); !sent) return fail(std::move(sent).error());
    return copied;
  }

  core::Result<std::int64_t> count(const std::string& table) {
    auto counted = to_.prepare(texts_.add("SELECT count(*) FROM \"" + table + "\""));
    if (!counted->step()) return fail(to_.error("counting " + table));
    return counted->int64(0);
  }

 private:
  static std::string insert_text(const std::string& table, const std::string& names, std::size_t width,
                                 std::size_t rows) {
    std::string text = "INSERT INTO \"" + table + "\" (" + names + ") VALUES ";
    int parameter = 1;
    for (std::size_t r = 0; r < rows; ++r) {
      text += r == 0 ? "(" : ", (";
      for (std::size_t c = 0; c < width; ++c) text += (c == 0 ? "?" : ", ?") + std::to_string(parameter++);
      text += ")";
    }
    return text;
  }

  core::Status insert(const char* sql, const std::vector<std::vector<Cell>>& rows, const std::vector<Column>& columns) {
    auto statement = to_.prepare(sql);
    int parameter = 1;
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < columns.size(); ++c, ++parameter) {
        const Cell& cell = row[c];
        if (cell.null) {
          statement->bind_null(parameter);
        } else if (columns[c].kind == Kind::integer) {
          statement->bind(parameter, cell.number);
        } else if (columns[c].kind == Kind::blob) {
          statement->bind_blob(parameter, cell.bytes);
        } else {
          statement->bind(parameter, std::string_view(cell.bytes));
        }
      }
    }
    statement->step();
    if (statement->failed()) return fail(to_.error("writing"));
    return {};
  }

 public:
  // How many text values were not UTF-8 text, and were copied with U+FFFD in place of their bytes.
  std::int64_t replaced() const { return replaced_; }

 private:
  SqlTexts& texts_;
  Connection& from_;
  Connection& to_;
  std::size_t rows_per_insert_;
  std::int64_t replaced_ = 0;
};

}  // namespace

core::Result<CopyReport> copy_from_sqlite(const CopyOptions& options) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(options.sqlite_path, error)) {
    return core::error(core::ErrorCode::not_found, "no SQLite database at " + options.sqlite_path);
  }
  SqlTexts texts;  // outlives the connections below
  auto from = sqlite::SqliteConnection::open(options.sqlite_path, false);
  if (!from) return fail(std::move(from).error());
  // Run as a probe first: a file that is not a database, or not hookd's, is refused before anything is
  // prepared or migrated in it, and before PostgreSQL is touched.
  if (auto probed = (*from)->exec("SELECT version FROM schema_migrations LIMIT 1"); !probed) {
    return fail(failure(options.sqlite_path + " is not a hookd database: " + probed.error().detail));
  }
  if (auto migrated = sql::migrate(**from, sqlite::migrations()); !migrated) return fail(std::move(migrated).error());
  auto sqlite_version = sql::schema_version(**from);
  if (!sqlite_version) return fail(std::move(sqlite_version).error());

  CopyReport report;
  auto version = migrate(options.dsn);
  if (!version) return fail(std::move(version).error());
  report.schema_version = *version;
  if (*sqlite_version != *version) {
    return fail(failure("the SQLite database is at schema version " + std::to_string(*sqlite_version) +
                        " and PostgreSQL at " + std::to_string(*version)));
  }
  auto to = PostgresConnection::open(options.dsn);
  if (!to) return fail(std::move(to).error());

  // One snapshot of SQLite, one transaction in PostgreSQL.
  if (auto began = (*from)->exec("BEGIN"); !began) return fail(std::move(began).error());
  sql::Transaction transaction(**to);
  if (!transaction.ok()) return fail((*to)->error("beginning the copy"));
  if (auto locked = (*to)->lock_for_transaction("hookd copy-to-postgres"); !locked) {
    return fail(std::move(locked).error());
  }

  Copier copier(texts, **from, **to, options.rows_per_insert);
  auto tables = copier.tables();
  if (!tables) return fail(std::move(tables).error());
  std::vector<std::vector<Column>> columns;
  for (const auto& table : *tables) {
    auto found = copier.columns(table);
    if (!found) return fail(std::move(found).error());
    columns.push_back(std::move(*found));
    if (table == "setting") continue;  // may hold the JWT secret of a node started before: see below
    auto holds = copier.holds_rows(table);
    if (!holds) return fail(std::move(holds).error());
    if (*holds) {
      return core::error(core::ErrorCode::conflict, "the PostgreSQL database already holds hookd data (in " + table +
                                                        "): copy into an empty database");
    }
  }

  std::vector<std::int64_t> read;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    auto copied = copier.copy((*tables)[i], columns[i]);
    if (!copied) return fail(std::move(copied).error());
    read.push_back(*copied);
  }
  if (options.jwt_secret) {
    auto keep = (*to)->prepare(kKeepJwtSecret);
    keep->bind(1, *options.jwt_secret);
    keep->step();
    if (keep->failed()) return fail((*to)->error("keeping the JWT secret"));
    report.jwt_secret_kept = (*to)->changes() == 1;
  }
  // Counted before the commit: a copy that does not add up leaves nothing behind, and may run again.
  for (std::size_t i = 0; i < tables->size(); ++i) {
    auto rows = copier.count((*tables)[i]);
    if (!rows) return fail(std::move(rows).error());
    if ((*tables)[i] != "setting" && *rows != read[i]) {
      return fail(failure((*tables)[i] + ": " + std::to_string(read[i]) + " rows read, " + std::to_string(*rows) +
                          " in PostgreSQL"));
    }
    report.tables.emplace_back((*tables)[i], read[i]);
  }
  report.replaced_text = copier.replaced();
  if (auto committed = transaction.commit(); !committed) return fail(std::move(committed).error());
  return report;
}

}  // namespace hookd::store::postgres

#include "store/sql/migrations.h"

#include <chrono>
#include <string>

namespace hookd::store::sql {
namespace {

// BIGINT is an INTEGER to SQLite, and holds the microseconds PostgreSQL needs.
constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL
))sql";
constexpr const char* kCurrentVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

}  // namespace

core::Result<int> schema_version(Connection& connection) {
  if (auto created = connection.exec(kCreateMigrationsTable); !created) return fail(std::move(created).error());
  auto statement = connection.prepare(kCurrentVersion);
  if (!statement->step()) return fail(connection.error("reading the schema version"));
  return statement->integer(0);
}

core::Status migrate(Connection& connection, std::span<const Migration> migrations) {
  auto current = schema_version(connection);
  if (!current) return fail(std::move(current).error());
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > latest) {
    return core::error(core::ErrorCode::internal, "the database has schema version " + std::to_string(*current) +
                                                      ", newer than this hookd knows (" + std::to_string(latest) +
                                                      "): upgrade hookd");
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    Transaction transaction(connection);
    if (!transaction.ok()) return fail(connection.error("starting a migration"));
    if (auto applied = connection.exec(migration.sql); !applied) {
      return core::error(core::ErrorCode::internal, "migration " + std::to_string(migration.version) + " (" +
                                                        migration.name + ") failed: " + applied.error().detail);
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    {
      auto record = connection.prepare(kRecordMigration);
      record->bind(1, migration.version).bind(2, migration.name).bind(3, static_cast<std::int64_t>(now));
      record->step();
      if (record->failed()) return fail(connection.error("recording a migration"));
    }
    if (auto committed = transaction.commit(); !committed) return committed;
  }
  return {};
}

}  // namespace hookd::store::sql

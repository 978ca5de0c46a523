// A schema as numbered migrations. A database records the migrations applied to it; opening it applies
// the missing ones in order, each in its own transaction. Migrations are append-only: a released one
// never changes. Each database has its own list (sqlite/, postgres/), with the same numbers; SQL that is
// the same on both is written once, in portable_migrations.h.
#pragma once

#include <span>

#include "core/error.h"
#include "store/sql/connection.h"

namespace hookd::store::sql {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Applies every migration of `migrations` the database lacks. Fails with internal when one cannot be
// applied, or when the database was made by a newer hookd (it has migrations this binary does not know).
core::Status migrate(Connection& connection, std::span<const Migration> migrations);

// The version the database is at (0: none applied), or an internal error.
core::Result<int> schema_version(Connection& connection);

}  // namespace hookd::store::sql

// The SQLite schema as numbered migrations. A database records the migrations applied to it; opening it
// applies the missing ones in order, each in its own transaction. Migrations are append-only: a released
// one never changes.
#pragma once

#include "core/error.h"
#include "store/sqlite/connection.h"

namespace hookd::store::sqlite {

// Applies every migration the database lacks. Fails with internal when one cannot be applied, or when
// the database was made by a newer hookd (it has migrations this binary does not know).
core::Status migrate(Connection& connection);

// The number of the newest migration this binary knows.
int latest_schema_version();

}  // namespace hookd::store::sqlite

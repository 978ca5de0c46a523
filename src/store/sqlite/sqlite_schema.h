// The SQLite schema, as numbered migrations (see store/sql/migrations.h).
#pragma once

#include <span>

#include "store/sql/migrations.h"

namespace hookd::store::sqlite {

std::span<const sql::Migration> migrations();

}  // namespace hookd::store::sqlite

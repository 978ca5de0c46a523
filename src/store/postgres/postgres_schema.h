// The PostgreSQL schema, as numbered migrations (see store/sql/migrations.h).
#pragma once

#include <span>

#include "store/sql/migrations.h"

namespace hookd::store::postgres {

std::span<const sql::Migration> migrations();

}  // namespace hookd::store::postgres

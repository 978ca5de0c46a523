// The embedded store: the SQL store on one SQLite file in WAL mode, hookd's default.
#pragma once

#include <memory>
#include <string>

#include "store/sql/sql_store.h"

namespace hookd::store::sqlite {

struct SqliteOptions {
  std::string path;  // the database file; created if missing
  // FULL: a commit reaches the disk before the API answers (survives power loss). NORMAL: it reaches the
  // OS (survives a crash of hookd, not of the machine), and commits are cheaper.
  bool synchronous_full = true;
  int read_connections = 4;
  std::size_t max_batch = 1024;         // writes per group commit at most
  metrics::Metrics* metrics = nullptr;  // hears of each group commit; outlives the store
};

// Opens the database, applies migrations and starts the writer. Fails with internal.
core::Result<std::unique_ptr<sql::SqlStore>> open_store(const SqliteOptions& options);

// The schema version open_store brings a database to.
int schema_version();

}  // namespace hookd::store::sqlite

// The SQL store on PostgreSQL, for users who outgrow one machine or already run PostgreSQL.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/sql/sql_store.h"

namespace hookd::store::postgres {

struct PostgresOptions {
  std::string dsn;  // a libpq connection string or URI: "postgresql://user:password@host:5432/hookd"
  int read_connections = 4;
  // Further connections writing new messages beside the first writer: their statements' round trips
  // overlap, where one writer would wait for each in turn.
  int message_writers = 3;
  std::size_t max_batch = 1024;  // writes per group commit at most
  // This node among those sharing the database: unique, and the same across its restarts.
  std::string node_id = "local";
  std::chrono::seconds lease_ttl{30};   // see SqlSettings
  metrics::Metrics* metrics = nullptr;  // hears of group commits and leases taken over; outlives the store
};

// Connects, applies migrations (one node at a time: they hold an advisory lock) and starts the writer.
// Fails with internal, saying why.
core::Result<std::unique_ptr<sql::SqlStore>> open_store(const PostgresOptions& options);

// Applies the migrations alone (hookd migrate), and says the schema version reached.
core::Result<int> migrate(const std::string& dsn);

// The server a connection string names, for logs: "127.0.0.1:5432/hookd as hookd" (never the password).
std::string describe(const std::string& dsn);

}  // namespace hookd::store::postgres

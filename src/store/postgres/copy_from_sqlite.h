// Moving to PostgreSQL: copies hookd's embedded SQLite database into an empty PostgreSQL database, so
// that users who outgrow one machine keep their applications, endpoints, secrets, messages, queue and
// logs (`hookd copy-to-postgres`, docs/operations.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace hookd::store::postgres {

struct CopyOptions {
  std::string sqlite_path;  // hookd.db of a hookd that is not running
  std::string dsn;          // the PostgreSQL database; migrated first, and then it must hold no hookd data
  // The SQLite node's JWT secret (its data directory's jwt-secret), kept as the secret every node shares
  // so that tokens issued before keep working. Not kept when PostgreSQL already has one.
  std::optional<std::string> jwt_secret;
  std::size_t rows_per_insert = 200;
};

struct CopyReport {
  int schema_version = 0;
  std::vector<std::pair<std::string, std::int64_t>> tables;  // each table copied, and its rows
  bool jwt_secret_kept = false;
  // Text values that were not UTF-8 text (an older hookd kept some: a receiver's answer in another
  // encoding, a header's raw bytes), copied with U+FFFD in place of the bytes PostgreSQL cannot hold.
  std::int64_t replaced_text = 0;
};

// Copies every table but the nodes' leases in one PostgreSQL transaction: all or nothing. The SQLite
// database is brought to this hookd's schema first and read in one snapshot. Deliveries the SQLite
// node had claimed are claims under no lease: the first PostgreSQL node to find them takes the lease,
// which gives them back, as for a node that is gone. Fails with not_found for a
// missing file, conflict when PostgreSQL already holds hookd data, internal otherwise, saying why.
core::Result<CopyReport> copy_from_sqlite(const CopyOptions& options);

}  // namespace hookd::store::postgres

// Which store a configuration names: PostgreSQL when db_dsn is set, else the SQLite file in data_dir.
// Shared by `hookd serve`, `hookd migrate`, `hookd prune` and `hookd copy-to-postgres`.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "server/config.h"
#include "store/store.h"

namespace hookd::server {

// Opens (and migrates) the configured store. The SQLite file's directory must exist. `metrics`, when
// given, hears of its group commits (and leases) and must outlive it.
core::Result<std::unique_ptr<store::Store>> open_store(const ServerConfig& config, int read_connections = 4,
                                                       metrics::Metrics* metrics = nullptr);

// Applies the configured store's migrations alone; a line saying which database is at which version.
core::Result<std::string> migrate_store(const ServerConfig& config);

// Copies the SQLite database in data_dir into the (empty) PostgreSQL database db_dsn, with the data
// directory's JWT secret: a line per table copied and its rows, for `hookd copy-to-postgres`.
core::Result<std::string> copy_to_postgres(const ServerConfig& config);

// Makes the data directory when it is missing: its parents as usual, itself 0700, since what it holds
// (the database, the JWT secret) is secret. An existing directory is left as it is.
core::Status make_data_directory(const ServerConfig& config);

// Where a node on SQLite keeps the JWT secret it generated: data_dir/jwt-secret.
std::string jwt_secret_file(const ServerConfig& config);
// The secret in that file: none when there is no file; an error when it holds no usable secret (less
// than 16 characters on its first line).
core::Result<std::optional<std::string>> read_jwt_secret_file(const ServerConfig& config);

// A new random JWT secret (512 bits, base64url).
std::string new_jwt_secret();

// The JWT secret the database keeps for every node: the stored one, or a new one stored now (then the
// flag is set).
core::Result<std::pair<std::string, bool>> shared_jwt_secret(store::Store& store);

// This node's name among those sharing PostgreSQL: node_id, else "host:/absolute/data/dir".
std::string node_id(const ServerConfig& config);

// The database in words for logs: "PostgreSQL at host:port/db" (no password) or the SQLite file's path.
std::string describe_store(const ServerConfig& config);

}  // namespace hookd::server

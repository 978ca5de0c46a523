#include "server/store_choice.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>

#include "core/encoding.h"
#include "hookd/sign/secret.h"
#include "store/postgres/copy_from_sqlite.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace hookd::server {
namespace {

std::string sqlite_path(const ServerConfig& config) {
  return (std::filesystem::path(config.data_dir) / "hookd.db").string();
}

}  // namespace

std::string node_id(const ServerConfig& config) {
  if (!config.node_id.empty()) return config.node_id;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::error_code ignored;
  return std::string(host) + ":" + std::filesystem::absolute(config.data_dir, ignored).lexically_normal().string();
}

core::Result<std::unique_ptr<store::Store>> open_store(const ServerConfig& config, int read_connections,
                                                       metrics::Metrics* metrics) {
  auto opened =
      config.db_dsn.empty()
          ? store::sqlite::open_store({sqlite_path(config), config.synchronous_full, read_connections, 1024, metrics})
          : store::postgres::open_store(
                {config.db_dsn, read_connections, 3, 1024, node_id(config), config.lease_ttl, metrics});
  if (!opened) return fail(std::move(opened).error());
  return std::unique_ptr<store::Store>(std::move(*opened));
}

core::Result<std::string> migrate_store(const ServerConfig& config) {
  if (!config.db_dsn.empty()) {
    auto version = store::postgres::migrate(config.db_dsn);
    if (!version) return fail(std::move(version).error());
    return describe_store(config) + " is at schema version " + std::to_string(*version);
  }
  if (auto made = make_data_directory(config); !made) return fail(std::move(made).error());
  auto opened = store::sqlite::open_store({sqlite_path(config), config.synchronous_full, 1, 16, nullptr});
  if (!opened) return fail(std::move(opened).error());
  return describe_store(config) + " is at schema version " + std::to_string(store::sqlite::schema_version());
}

core::Status make_data_directory(const ServerConfig& config) {
  const std::filesystem::path directory(config.data_dir);
  std::error_code error;
  if (std::filesystem::is_directory(directory, error)) return {};
  if (directory.has_parent_path()) std::filesystem::create_directories(directory.parent_path(), error);
  if (!error && ::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    error = std::error_code(errno, std::generic_category());
  }
  if (error) {
    return core::error(core::ErrorCode::internal,
                       "cannot create the data directory " + config.data_dir + ": " + error.message());
  }
  return {};
}

std::string jwt_secret_file(const ServerConfig& config) {
  return (std::filesystem::path(config.data_dir) / "jwt-secret").string();
}

core::Result<std::optional<std::string>> read_jwt_secret_file(const ServerConfig& config) {
  std::ifstream in(jwt_secret_file(config));
  if (!in) return std::optional<std::string>();
  std::string secret;
  std::getline(in, secret);
  if (secret.size() < 16) {
    return core::error(core::ErrorCode::internal,
                       jwt_secret_file(config) + " holds no usable secret; delete it to make a new one");
  }
  return std::optional<std::string>(std::move(secret));
}

core::Result<std::string> copy_to_postgres(const ServerConfig& config) {
  auto jwt_secret = read_jwt_secret_file(config);
  if (!jwt_secret) return fail(std::move(jwt_secret).error());
  auto copied = store::postgres::copy_from_sqlite({sqlite_path(config), config.db_dsn, *jwt_secret});
  if (!copied) return fail(std::move(copied).error());
  std::string summary = "copied " + sqlite_path(config) + " into " + describe_store(config) + " (schema version " +
                        std::to_string(copied->schema_version) + ")\n";
  for (const auto& [table, rows] : copied->tables) summary += "  " + table + ": " + std::to_string(rows) + " rows\n";
  if (copied->replaced_text > 0) {
    summary += "  " + std::to_string(copied->replaced_text) +
               " text values were not UTF-8 text; their stray bytes became U+FFFD\n";
  }
  if (*jwt_secret) {
    summary += copied->jwt_secret_kept ? "  the JWT secret of " + jwt_secret_file(config) + " is the one nodes share\n"
                                       : "  PostgreSQL keeps the JWT secret it had: tokens issued on SQLite are not "
                                         "accepted unless jwt_secret is configured\n";
  }
  return summary;
}

std::string new_jwt_secret() {
  return core::base64url_encode(sign::Secret::generate_hmac().key_bytes() + sign::Secret::generate_hmac().key_bytes());
}

core::Result<std::pair<std::string, bool>> shared_jwt_secret(store::Store& store) {
  const std::string candidate = new_jwt_secret();
  auto shared = store.shared_value("jwt_secret", candidate);
  if (!shared) return fail(std::move(shared).error());
  return std::pair{*shared, *shared == candidate};
}

std::string describe_store(const ServerConfig& config) {
  if (config.db_dsn.empty()) return "SQLite " + sqlite_path(config);
  return "PostgreSQL " + store::postgres::describe(config.db_dsn);
}

}  // namespace hookd::server

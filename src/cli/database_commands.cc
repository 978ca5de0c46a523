// The commands that act on hookd's database without serving:
// - hookd migrate: bring the database's schema up to this hookd. `hookd serve` migrates on start too;
//   this is for upgrades run ahead of the nodes (docs/operations.md).
// - hookd copy-to-postgres: move a stopped node's SQLite database into PostgreSQL, for users who
//   outgrow one machine (docs/operations.md). No PostgreSQL node may run on the database yet.
#include <cstdio>

#include "cli/commands.h"
#include "server/config.h"
#include "server/store_choice.h"

namespace hookd::cli {
namespace {

// The flags that name the database, as `hookd serve` takes them; they override the configuration file
// and the HOOKD_* variables.
struct DatabaseOptions {
  std::string config_file;
  std::string data_dir;
  std::string db;
};

core::Status load(const DatabaseOptions& options, server::ServerConfig& config) {
  core::Status loaded = server::load_config(config, options.config_file);
  if (loaded && !options.data_dir.empty()) loaded = server::apply_setting(config, "data_dir", options.data_dir);
  if (loaded && !options.db.empty()) loaded = server::apply_setting(config, "db_dsn", options.db);
  return loaded;
}

int run_migrate(const DatabaseOptions& options) {
  server::ServerConfig config;
  if (auto loaded = load(options, config); !loaded) {
    std::fprintf(stderr, "hookd migrate: %s\n", loaded.error().detail.c_str());
    return kExitUsage;
  }
  auto migrated = server::migrate_store(config);
  if (!migrated) {
    std::fprintf(stderr, "hookd migrate: %s\n", migrated.error().detail.c_str());
    return kExitFailure;
  }
  std::printf("%s\n", migrated->c_str());
  return kExitOk;
}

int run_copy(const DatabaseOptions& options) {
  server::ServerConfig config;
  core::Status loaded = load(options, config);
  if (loaded && config.db_dsn.empty()) {
    loaded = core::error(core::ErrorCode::bad_request, "name the PostgreSQL database to copy into (--db or db_dsn)");
  }
  if (!loaded) {
    std::fprintf(stderr, "hookd copy-to-postgres: %s\n", loaded.error().detail.c_str());
    return kExitUsage;
  }
  auto copied = server::copy_to_postgres(config);
  if (!copied) {
    std::fprintf(stderr, "hookd copy-to-postgres: %s\n", copied.error().detail.c_str());
    return kExitFailure;
  }
  std::fputs(copied->c_str(), stdout);
  return kExitOk;
}

}  // namespace

void add_migrate_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("migrate", "Bring the database's schema up to this hookd");
  command->footer(
      "The database is the one 'hookd serve' would use: --db (or db_dsn, HOOKD_DB_DSN) for PostgreSQL, else\n"
      "the SQLite file in the data directory. Safe to run while nodes serve, and from several at once.\n\n"
      "Examples:\n"
      "  hookd migrate --db postgresql://hookd@db.internal:5432/hookd\n"
      "  hookd migrate --data-dir /var/lib/hookd");
  auto options = std::make_shared<DatabaseOptions>();
  command->add_option("--config", options->config_file, "a TOML configuration file");
  command->add_option("--data-dir", options->data_dir, "the data directory of hookd serve (./hookd-data)");
  command->add_option("--db", options->db, "a PostgreSQL connection string");
  command->callback([options, &exit_code] { exit_code = run_migrate(*options); });
}

void add_copy_command(CLI::App& app, int& exit_code) {
  CLI::App* command =
      app.add_subcommand("copy-to-postgres", "Copy the SQLite database of a stopped node into an empty PostgreSQL");
  command->footer(
      "Everything hookd keeps is copied in one transaction: applications, endpoints and their secrets, event\n"
      "types, sources, messages and their queue, attempts, inbound requests and idempotency answers. The\n"
      "data directory's JWT secret becomes the one every node shares, so tokens issued before keep working.\n"
      "Stop the SQLite node first; start the PostgreSQL nodes after. A database that already holds hookd data\n"
      "is refused.\n\n"
      "Example:\n"
      "  hookd copy-to-postgres --data-dir /var/lib/hookd --db postgresql://hookd@db.internal:5432/hookd");
  auto options = std::make_shared<DatabaseOptions>();
  command->add_option("--config", options->config_file, "a TOML configuration file");
  command->add_option("--data-dir", options->data_dir, "the data directory of the SQLite node (./hookd-data)");
  command->add_option("--db", options->db, "the PostgreSQL connection string to copy into");
  command->callback([options, &exit_code] { exit_code = run_copy(*options); });
}

}  // namespace hookd::cli

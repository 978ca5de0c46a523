// hookd migrate: bring the database's schema up to this hookd, without serving. `hookd serve` migrates
// on start too; this is for upgrades run ahead of the nodes (docs/operations.md).
#include <cstdio>

#include "cli/commands.h"
#include "server/config.h"
#include "server/store_choice.h"

namespace hookd::cli {
namespace {

struct MigrateOptions {
  std::string config_file;
  std::string data_dir;
  std::string db;
};

int run_migrate(const MigrateOptions& options) {
  server::ServerConfig config;
  core::Status loaded = server::load_config(config, options.config_file);
  if (loaded && !options.data_dir.empty()) loaded = server::apply_setting(config, "data_dir", options.data_dir);
  if (loaded && !options.db.empty()) loaded = server::apply_setting(config, "db_dsn", options.db);
  if (!loaded) {
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

}  // namespace

void add_migrate_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("migrate", "Bring the database's schema up to this hookd");
  command->footer(
      "The database is the one 'hookd serve' would use: --db (or db_dsn, HOOKD_DB_DSN) for PostgreSQL, else\n"
      "the SQLite file in the data directory. Safe to run while nodes serve, and from several at once.\n\n"
      "Examples:\n"
      "  hookd migrate --db postgresql://hookd@db.internal:5432/hookd\n"
      "  hookd migrate --data-dir /var/lib/hookd");
  auto options = std::make_shared<MigrateOptions>();
  command->add_option("--config", options->config_file, "a TOML configuration file");
  command->add_option("--data-dir", options->data_dir, "the data directory of hookd serve (./hookd-data)");
  command->add_option("--db", options->db, "a PostgreSQL connection string");
  command->callback([options, &exit_code] { exit_code = run_migrate(*options); });
}

}  // namespace hookd::cli

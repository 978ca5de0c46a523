// hookd jwt generate: print an organization token for the API.
#include <cstdio>
#include <fstream>

#include "api/jwt.h"
#include "cli/commands.h"
#include "server/config.h"
#include "server/store_choice.h"

namespace hookd::cli {
namespace {

struct JwtOptions {
  std::string org_id = std::string(api::kDefaultOrgId);
  std::string data_dir = "./hookd-data";
  std::string db;
  std::string secret;
};

// The secret PostgreSQL keeps for every node (made now if no node has started yet); "" after saying why
// there is none.
std::string shared_secret(const server::ServerConfig& config) {
  auto store = server::open_store(config, 1);
  if (!store) {
    std::fprintf(stderr, "hookd jwt generate: %s\n", store.error().detail.c_str());
    return "";
  }
  auto shared = server::shared_jwt_secret(**store);
  if (!shared) std::fprintf(stderr, "hookd jwt generate: %s\n", shared.error().detail.c_str());
  return shared ? shared->first : "";
}

int run_generate(const JwtOptions& options) {
  // jwt_secret and db_dsn as hookd serve reads them (configuration, HOOKD_* variables), unless given.
  server::ServerConfig config;
  if (auto loaded = server::load_config(config); !loaded) {
    std::fprintf(stderr, "hookd jwt generate: %s\n", loaded.error().detail.c_str());
    return kExitUsage;
  }
  std::string secret = options.secret.empty() ? config.jwt_secret : options.secret;
  if (!options.db.empty()) config.db_dsn = options.db;
  config.data_dir = options.data_dir;
  if (secret.empty() && !config.db_dsn.empty()) {
    secret = shared_secret(config);
    if (secret.empty()) return kExitFailure;
  }
  if (secret.empty()) {
    auto kept = server::read_jwt_secret_file(config);
    if (!kept || !*kept) {
      std::fprintf(stderr, "hookd jwt generate: %s\n",
                   !kept ? kept.error().detail.c_str()
                         : ("no JWT secret in " + server::jwt_secret_file(config) +
                            "; start 'hookd serve' once, or pass --secret or --data-dir")
                               .c_str());
      return kExitFailure;
    }
    secret = **kept;
  }
  if (!options.org_id.starts_with("org_")) {
    std::fprintf(stderr, "hookd jwt generate: an organization id starts with org_\n");
    return kExitUsage;
  }
  std::printf("%s\n", api::issue_token({options.org_id, std::nullopt, std::nullopt}, secret,
                                       core::SystemClock::instance().now())
                          .c_str());
  return kExitOk;
}

}  // namespace

void add_jwt_command(CLI::App& app, int& exit_code) {
  CLI::App* jwt = app.add_subcommand("jwt", "Make API tokens");
  jwt->require_subcommand(1);
  CLI::App* generate = jwt->add_subcommand("generate", "Print an organization token (HS256 JWT)");
  generate->footer(
      "The secret is --secret, else HOOKD_JWT_SECRET, else the one 'hookd serve' keeps in PostgreSQL (--db or\n"
      "HOOKD_DB_DSN), else the one it keeps in the data directory.\n\n"
      "Examples:\n"
      "  hookd jwt generate\n"
      "  hookd jwt generate org_2a5bXyz --data-dir /var/lib/hookd");
  // Shared with the callback, which runs during parsing, after this function has returned.
  auto options = std::make_shared<JwtOptions>();
  generate->add_option("ORG_ID", options->org_id, "the organization (default: svix-server's default org)");
  generate->add_option("--data-dir", options->data_dir, "the data directory of hookd serve")->capture_default_str();
  generate->add_option("--secret", options->secret, "the JWT secret itself");
  generate->add_option("--db", options->db, "the PostgreSQL connection string of hookd serve");
  generate->callback([options, &exit_code] { exit_code = run_generate(*options); });
}

}  // namespace hookd::cli

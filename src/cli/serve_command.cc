// hookd serve: run the server until SIGTERM or SIGINT.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "api/jwt.h"
#include "cli/commands.h"
#include "net/open_files.h"
#include "server/hookd_server.h"
#include "server/log.h"
#include "server/store_choice.h"

namespace hookd::cli {
namespace {

struct ServeOptions {
  std::string config_file;
  std::string listen;
  std::string data_dir;
  std::string db;
  std::string log_format;
  std::string role;
  std::vector<std::string> allow_subnets;
  std::vector<std::string> hooks_files;
};

// Raises the open-files limit as far as the system allows, and keeps the cap on open API connections
// under what it leaves once deliveries (global_concurrency), the database and the logs have theirs.
// Whether standard output is systemd's journal: JOURNAL_STREAM names the journal's stream as
// "device:inode", which standard output must still be (a child of a service inherits the variable).
bool output_goes_to_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat out {};
  if (::fstat(STDOUT_FILENO, &out) != 0) return false;
  return static_cast<unsigned long long>(out.st_dev) == device && static_cast<unsigned long long>(out.st_ino) == inode;
}

void limit_connections_to_open_files(server::ServerConfig& config) {
  const net::OpenFilesLimit files = net::raise_open_files_limit();
  server::log_info("open files: at most " + std::to_string(files.soft) + " (hard limit " + std::to_string(files.hard) +
                   ")");
  const std::uint64_t reserved = static_cast<std::uint64_t>(config.delivery.global_concurrency) + 256;
  const std::uint64_t room = files.soft > reserved + 16 ? files.soft - reserved : 16;
  if (config.http.max_connections > room) {
    server::log_warn("http.max_connections lowered from " + std::to_string(config.http.max_connections) + " to " +
                     std::to_string(room) + " to fit the open-files limit of " + std::to_string(files.soft));
    config.http.max_connections = room;
  }
}

int run_serve(const ServeOptions& options) {
  server::ServerConfig config;
  core::Status loaded = server::load_config(config, options.config_file);
  if (loaded && !options.listen.empty()) loaded = server::apply_setting(config, "listen", options.listen);
  if (loaded && !options.data_dir.empty()) loaded = server::apply_setting(config, "data_dir", options.data_dir);
  if (loaded && !options.db.empty()) loaded = server::apply_setting(config, "db_dsn", options.db);
  if (loaded && !options.log_format.empty()) loaded = server::apply_setting(config, "log_format", options.log_format);
  if (loaded && !options.role.empty()) loaded = server::apply_setting(config, "role", options.role);
  if (loaded && !options.allow_subnets.empty()) {
    // Flags add to what the file and the environment allowed.
    std::string joined;
    for (const auto& subnet : config.allow_subnets)
      joined += subnet.base.to_string() + "/" + std::to_string(subnet.prefix) + ",";
    for (const auto& subnet : options.allow_subnets) joined += subnet + ",";
    loaded = server::apply_setting(config, "allow_subnets", joined);
  }
  if (loaded && !options.hooks_files.empty()) {
    std::string joined;
    for (const auto& file : options.hooks_files) joined += file + ",";
    loaded = server::apply_setting(config, "hooks_files", joined);
  }
  if (!loaded) {
    std::fprintf(stderr, "hookd serve: %s\n", loaded.error().detail.c_str());
    return kExitUsage;
  }
  server::configure_logging(config.log_format, config.log_level);
  limit_connections_to_open_files(config);

  // Signals are taken by sigwait below; every thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto started = server::HookdServer::start(config);
  if (!started) {
    server::log_error("cannot start: " + started.error().detail);
    return kExitFailure;
  }
  auto& hookd = **started;
  if (hookd.generated_secret()) {
    const std::string where = config.db_dsn.empty() ? config.data_dir + "/jwt-secret" : "the database";
    if (output_goes_to_journal()) {
      // The journal keeps what it is given, readable by more than the operator: no token there.
      std::printf(
          "First start: a JWT secret was generated in %s. Make an organization token for the API with "
          "'hookd jwt generate'.\n",
          where.c_str());
    } else {
      std::printf(
          "First start: a JWT secret was generated in %s.\n"
          "An organization token for the API (keep it; make more with 'hookd jwt generate'):\n%s\n",
          where.c_str(), hookd.org_token(api::kDefaultOrgId).c_str());
    }
  }
  if (config.serves_api()) {
    std::printf("listening on %s\n", hookd.base_url().c_str());
    server::log_info("hookd (role " + config.role + ") serving on " + hookd.base_url() + ", data in " +
                     server::describe_store(config));
  } else {
    std::printf("delivering (role worker, no API)\n");
    server::log_info("hookd (role worker) delivering, data in " + server::describe_store(config));
  }
  if (!hookd.metrics_url().empty()) {
    std::printf("metrics and probes on %s\n", hookd.metrics_url().c_str());
    server::log_info("metrics and probes (/metrics, /health/live, /health/ready) on " + hookd.metrics_url());
  }
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server::log_info(std::string("received ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") +
                   ": finishing the work in flight");
  hookd.stop(std::chrono::seconds(10));
  server::log_info("stopped");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("serve", "Run the webhooks server (Svix-compatible API, delivery)");
  command->footer(
      "Settings come from defaults, then the TOML file (--config or HOOKD_CONFIG), then HOOKD_* variables,\n"
      "then these flags. docs/configuration.md lists every setting.\n\n"
      "Examples:\n"
      "  hookd serve                                   # 127.0.0.1:8071, data in ./hookd-data\n"
      "  hookd serve --listen 0.0.0.0:8071 --data-dir /var/lib/hookd\n"
      "  hookd serve --db postgresql://hookd@db.internal:5432/hookd --role worker\n"
      "  hookd serve --allow-subnet 127.0.0.0/8           # let deliveries reach receivers on this machine\n"
      "  HOOKD_LOG_FORMAT=json hookd serve --config /etc/hookd.toml");
  // Shared with the callback, which runs during parsing, after this function has returned.
  auto options = std::make_shared<ServeOptions>();
  command->add_option("--config", options->config_file, "a TOML configuration file");
  command->add_option("--listen", options->listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8071)");
  command->add_option("--data-dir", options->data_dir, "where the database and the JWT secret live (./hookd-data)");
  command->add_option("--db", options->db,
                      "a PostgreSQL connection string (postgresql://user@host:5432/hookd) instead of SQLite");
  command->add_option("--log-format", options->log_format, "text or json");
  command->add_option("--role", options->role, "all (default), api (no delivery) or worker (no API)");
  command->add_option("--allow-subnet", options->allow_subnets,
                      "an address range deliveries may reach although not public, e.g. 127.0.0.0/8 (repeatable)");
  command->add_option("--hooks", options->hooks_files,
                      "a hooks file of the webhook tool, served at /hooks/{id} beside the API (repeatable)");
  command->callback([options, &exit_code] { exit_code = run_serve(*options); });
}

}  // namespace hookd::cli

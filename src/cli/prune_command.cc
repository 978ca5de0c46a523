// hookd prune: delete old messages, with their payloads, deliveries and attempts, from the data directory.
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "core/time.h"
#include "server/config.h"
#include "server/store_choice.h"

namespace hookd::cli {
namespace {

constexpr int kBatch = 1000;

struct PruneOptions {
  std::string older_than;
  std::string data_dir = "./hookd-data";
  std::string db;
};

// "2026-01-31" (midnight UTC) or an RFC 3339 time.
std::optional<core::TimePoint> parse_date(const std::string& text) {
  if (text.size() == 10) return core::parse_rfc3339(text + "T00:00:00Z");
  return core::parse_rfc3339(text);
}

int run_prune(const PruneOptions& options) {
  const auto before = parse_date(options.older_than);
  if (!before) {
    std::fprintf(stderr, "hookd prune: --older-than must be a date (2026-01-31) or an RFC 3339 time\n");
    return kExitUsage;
  }
  // The database hookd serve would use: db_dsn from the configuration or HOOKD_DB_DSN, unless --db.
  server::ServerConfig config;
  if (auto loaded = server::load_config(config); !loaded) {
    std::fprintf(stderr, "hookd prune: %s\n", loaded.error().detail.c_str());
    return kExitUsage;
  }
  config.data_dir = options.data_dir;
  if (!options.db.empty()) config.db_dsn = options.db;
  const auto path = std::filesystem::path(options.data_dir) / "hookd.db";
  if (config.db_dsn.empty() && !std::filesystem::exists(path)) {
    std::fprintf(stderr, "hookd prune: no database at %s\n", path.c_str());
    return kExitFailure;
  }
  // Beside running servers too: each batch is a short transaction.
  auto store = server::open_store(config, 1);
  if (!store) {
    std::fprintf(stderr, "hookd prune: %s\n", store.error().detail.c_str());
    return kExitFailure;
  }
  store::PruneBatch total;
  std::optional<std::string> after;
  do {
    auto batch = (*store)->prune_messages(*before, after, kBatch);
    if (!batch) {
      std::fprintf(stderr, "hookd prune: %s\n", batch.error().detail.c_str());
      return kExitFailure;
    }
    total.messages += batch->messages;
    total.attempts += batch->attempts;
    total.kept_pending += batch->kept_pending;
    after = batch->last;
  } while (after);
  std::printf("pruned %lld messages and %lld attempts created before %s\n", static_cast<long long>(total.messages),
              static_cast<long long>(total.attempts), core::format_rfc3339(*before).c_str());
  if (total.kept_pending > 0) {
    std::printf("kept %lld messages that still have deliveries pending\n", static_cast<long long>(total.kept_pending));
  }
  return kExitOk;
}

}  // namespace

void add_prune_command(CLI::App& app, int& exit_code) {
  CLI::App* prune = app.add_subcommand("prune", "Delete old messages and their attempts");
  prune->footer(
      "Messages created before the date go, with their payloads, deliveries and attempts; those with a\n"
      "delivery still pending stay. Payloads also expire on their own (payloadRetentionPeriod).\n\n"
      "Examples:\n"
      "  hookd prune --older-than 2026-01-01\n"
      "  hookd prune --older-than 2026-06-30T12:00:00Z --data-dir /var/lib/hookd");
  auto options = std::make_shared<PruneOptions>();
  prune->add_option("--older-than", options->older_than, "a date (2026-01-31, midnight UTC) or an RFC 3339 time")
      ->required();
  prune->add_option("--data-dir", options->data_dir, "the data directory of hookd serve")->capture_default_str();
  prune->add_option("--db", options->db, "the PostgreSQL connection string of hookd serve (or HOOKD_DB_DSN)");
  prune->callback([options, &exit_code] { exit_code = run_prune(*options); });
}

}  // namespace hookd::cli

// The configuration of `hookd serve`: defaults, then a TOML file, then HOOKD_* environment variables,
// then command-line flags (later sources win). Every setting has one name; docs/configuration.md lists
// them. Unknown keys and malformed values are errors, so that a typo never silently falls back.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "delivery/dispatcher.h"
#include "delivery/ssrf_guard.h"
#include "net/dns_resolver.h"
#include "net/http_server.h"
#include "net/proxy.h"
#include "server/operational_webhooks.h"

namespace hookd::server {

struct ServerConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8071;
  // A second listener for monitoring: GET /metrics, /health/live and /health/ready, without a token
  // (the API's address serves /metrics too, to organization tokens). Empty address: none.
  std::string metrics_address;
  std::uint16_t metrics_port = 0;
  std::string data_dir = "./hookd-data";
  // PostgreSQL's connection string (a libpq URI or key=value list); empty: the SQLite file in data_dir.
  std::string db_dsn;
  // This node among those sharing PostgreSQL; empty: the host name and the data directory's path, which
  // stay the same across restarts.
  std::string node_id;
  std::chrono::seconds lease_ttl{30};  // a node silent this long loses its applications to the others
  std::string jwt_secret;              // empty: generated on first start and kept in the data dir
  std::string public_url;              // empty: http://<listen>
  std::string log_format = "text";     // or "json"
  std::string log_level = "info";      // trace, debug, info, warn, error
  // What one HTTP client may hold of the server (body and header sizes, deadlines, open connections).
  net::ServerLimits http;
  bool synchronous_full = true;  // "full" or "normal"
  int api_workers = 64;
  int io_threads = 1;
  // all: the API and delivery; api: only the API (deliveries wait in the store for a worker);
  // worker: only delivery (no HTTP listener).
  std::string role = "all";
  // Address ranges deliveries may reach although they are not public (SsrfGuard): "127.0.0.0/8", ….
  std::vector<delivery::Subnet> allow_subnets;
  bool https_only = false;                  // endpoints must be https URLs (the API refuses others; delivery too)
  std::optional<net::ProxySettings> proxy;  // deliveries tunnel through it; its no_proxy list is below
  std::vector<std::string> no_proxy;        // hosts deliveries reach directly although a proxy is set
  net::DnsOptions dns;                      // how deliveries look names up
  delivery::DispatcherOptions delivery;
  OperationalWebhooksOptions operational_webhooks;
  std::chrono::microseconds payload_purge_interval = std::chrono::hours(1);  // expired payloads are purged
  // Inbound sources declared in the file ([[sources]]), made or updated at start in the default
  // organization. Their app_id holds the application's uid (or id) as written; start() resolves it.
  std::vector<store::Source> sources;
  // Hooks files in the `webhook` tool's format, served at /hooks/{id} beside the API (--hooks).
  std::vector<std::string> hooks_files;
  int hooks_max_commands = 64;  // their commands running at once, all hooks together

  bool serves_api() const { return role != "worker"; }
  bool delivers() const { return role != "api"; }

  // "127.0.0.1:8071", "[::1]:8071", "0.0.0.0:80".
  std::string listen() const;
};

// Reads one setting by name, from its textual form (as the environment and flags give it). Known names
// are those of docs/configuration.md, e.g. "listen", "data_dir", "delivery.timeout".
core::Status apply_setting(ServerConfig& config, std::string_view name, std::string_view value);

// Applies a TOML file's settings. Fails with a message naming the file, key and problem; a file larger
// than kMaxConfigBytes is refused unread.
core::Status apply_toml_file(ServerConfig& config, const std::string& path);
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;
// The same from the text of a file; `name` names it in messages.
core::Status apply_toml(ServerConfig& config, std::string_view text, const std::string& name);

// Applies HOOKD_<NAME> variables (for "delivery.timeout": HOOKD_DELIVERY_TIMEOUT) from `environment`.
core::Status apply_environment(ServerConfig& config, const std::map<std::string, std::string>& environment);

// The process environment, as a map.
std::map<std::string, std::string> process_environment();

// The settings every hookd command that opens the database reads before its own flags: the TOML file
// (`config_file`, else the one HOOKD_CONFIG names, if any), then the HOOKD_* variables.
core::Status load_config(ServerConfig& config, std::string config_file = "");

// Durations as settings write them: "150ms", "5s", "5m", "2h", or a plain number of seconds.
std::optional<std::chrono::microseconds> parse_duration(std::string_view text);

}  // namespace hookd::server

#include "server/hookd_server.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "api/api.h"
#include "api/jwt.h"
#include "delivery/dispatcher.h"
#include "delivery/ssrf_guard.h"
#include "hooks/hook_server.h"
#include "hooks/hooks_file.h"
#include "net/event_loop.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "server/log.h"
#include "server/monitoring.h"
#include "server/payload_purger.h"
#include "server/source_sync.h"
#include "server/store_choice.h"
#include "server/worker_pool.h"

#ifndef HOOKD_VERSION
#define HOOKD_VERSION "0.0.0"
#endif

namespace hookd::server {

// Declared in the order they start; destroyed in reverse.
struct HookdServer::Parts {
  ServerConfig config;
  std::string jwt_secret;
  bool generated_secret = false;
  std::unique_ptr<metrics::Metrics> metrics = std::make_unique<metrics::Metrics>();
  std::unique_ptr<store::Store> store;
  std::unique_ptr<OperationalWebhooks> operational;
  std::unique_ptr<PayloadPurger> purger;
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<net::HttpClient> client;
  std::unique_ptr<delivery::HttpSender> sender;
  std::unique_ptr<delivery::Dispatcher> dispatcher;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<hooks::HookServer> hooks;
  std::unique_ptr<WorkerPool> workers;
  std::unique_ptr<net::HttpServer> http;
  std::unique_ptr<net::HttpServer> monitoring;  // metrics.listen
  bool stopped = false;
};

namespace {

// The JWT secret: configured; or, on PostgreSQL, the one the database keeps for every node (generated
// by the first); or read from the data directory, or generated there (mode 0600). The flag says
// whether it was generated now.
core::Result<std::pair<std::string, bool>> load_jwt_secret(const ServerConfig& config, store::Store& store) {
  if (!config.jwt_secret.empty()) return std::pair{config.jwt_secret, false};
  if (!config.db_dsn.empty()) return shared_jwt_secret(store);
  auto kept = read_jwt_secret_file(config);
  if (!kept) return fail(std::move(kept).error());
  if (*kept) return std::pair{**kept, false};
  const std::filesystem::path path = jwt_secret_file(config);
  const std::string secret = new_jwt_secret();
  const mode_t previous = ::umask(077);
  std::ofstream out(path);
  out << secret << '\n';
  out.close();
  ::umask(previous);
  if (!out) return core::error(core::ErrorCode::internal, "cannot write " + path.string());
  return std::pair{secret, true};
}

// What the nodes sharing the database announce reaches this node's dispatcher and API caches.
void watch_other_nodes(HookdServer::Parts& parts) {
  delivery::Dispatcher* dispatcher = parts.dispatcher.get();
  api::Api* api = parts.api.get();
  store::ChangeHandlers handlers;
  if (dispatcher) {
    handlers.work = [dispatcher](const std::string& endpoint_id) { dispatcher->submit({}, {endpoint_id}); };
    handlers.endpoint_changed = [dispatcher](const std::string& endpoint_id) {
      dispatcher->endpoint_changed(endpoint_id);
    };
    handlers.application_changed = [dispatcher, api](const std::string& app_id) {
      dispatcher->application_changed(app_id);
      if (api) api->applications_changed();
    };
    handlers.rescan = [dispatcher] { dispatcher->look_for_work(); };
    handlers.lease_lost = [dispatcher](const std::string& app_id) { dispatcher->application_lost(app_id); };
  }
  if (api) {
    handlers.sources_changed = [api] { api->sources_changed(); };
    if (!dispatcher) handlers.application_changed = [api](const std::string&) { api->applications_changed(); };
  }
  parts.store->watch(std::move(handlers));
}

}  // namespace

HookdServer::HookdServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

HookdServer::~HookdServer() { stop(std::chrono::seconds(10)); }

core::Result<std::unique_ptr<HookdServer>> HookdServer::start(const ServerConfig& config) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  if (auto made = make_data_directory(config); !made) return fail(std::move(made).error());
  auto store = open_store(config, 4, parts->metrics.get());
  if (!store) return fail(std::move(store).error());
  parts->store = std::move(*store);
  auto secret = load_jwt_secret(config, *parts->store);
  if (!secret) return fail(std::move(secret).error());
  std::tie(parts->jwt_secret, parts->generated_secret) = *secret;
  if (auto synced = sync_sources(*parts->store, config.sources, core::SystemClock::instance().now()); !synced) {
    return fail(std::move(synced).error());
  }
  OperationalWebhooksOptions operational_options = config.operational_webhooks;
  operational_options.metrics = parts->metrics.get();
  auto operational =
      OperationalWebhooks::start(*parts->store, core::SystemClock::instance(), std::move(operational_options));
  if (!operational) return fail(std::move(operational).error());
  parts->operational = std::move(*operational);
  parts->purger =
      std::make_unique<PayloadPurger>(*parts->store, core::SystemClock::instance(), config.payload_purge_interval);

  if (config.delivers()) {
    parts->loop = std::make_unique<net::EventLoop>();
    parts->loop->start();
    net::ClientOptions client_options;
    client_options.user_agent = "hookd/" HOOKD_VERSION;
    // Every address a delivery would connect to passes the SSRF guard first.
    client_options.https_only = config.https_only;
    client_options.dns = config.dns;
    if (config.proxy) {
      client_options.proxy = config.proxy;
      client_options.proxy->no_proxy = config.no_proxy;
    }
    // The attempt log (which the tenant reads) says why; only the operator's log names the address.
    client_options.filter = [guard = delivery::SsrfGuard(config.allow_subnets)](const std::string& address) {
      const auto refusal = guard.check(address);
      if (!refusal) return std::string();
      log_warn("delivery " + refusal->for_operator());
      return refusal->for_tenant();
    };
    parts->client = std::make_unique<net::HttpClient>(*parts->loop, client_options);
    parts->sender = std::make_unique<delivery::HttpSender>(*parts->client);
    delivery::DispatcherOptions delivery = config.delivery;
    delivery.request.user_agent = client_options.user_agent;
    // A worker beside API-only nodes must look for the work they queue; on PostgreSQL, every node also
    // looks for the work of nodes that died (announcements wake it sooner for the rest).
    if (delivery.discover_interval.count() == 0 && (!config.serves_api() || !config.db_dsn.empty()))
      delivery.discover_interval = std::chrono::seconds(config.db_dsn.empty() ? 1 : 2);
    parts->dispatcher = std::make_unique<delivery::Dispatcher>(*parts->store, *parts->sender, *parts->loop,
                                                               core::SystemClock::instance(), delivery,
                                                               parts->operational.get(), parts->metrics.get());
    parts->operational->attach(parts->dispatcher.get());
    if (auto started = parts->dispatcher->start(); !started) return fail(std::move(started).error());
  }
  // The monitoring listener, on every node that has one configured (a worker too).
  parts->workers = std::make_unique<WorkerPool>(config.serves_api() ? config.api_workers : 2);
  auto render_metrics = [wired = parts.get()] {
    return wired->metrics->render(
        read_gauges(*wired->store, wired->dispatcher.get(), core::SystemClock::instance().now()));
  };
  if (!config.metrics_address.empty()) {
    std::string monitoring_error;
    parts->monitoring = listen_for_monitoring(config, *parts->store, *parts->workers, render_metrics, monitoring_error);
    if (!parts->monitoring) return core::error(core::ErrorCode::internal, "metrics.listen: " + monitoring_error);
    parts->monitoring->start();
  }
  if (!config.serves_api()) {
    watch_other_nodes(*parts);
    return std::unique_ptr<HookdServer>(new HookdServer(std::move(parts)));
  }

  if (!config.hooks_files.empty()) {
    std::vector<hooks::Hook> all;
    for (const auto& file : config.hooks_files) {
      auto loaded = hooks::load_hooks_file(file);
      if (!loaded) return fail(std::move(loaded).error());
      for (auto& hook : *loaded) all.push_back(std::move(hook));
    }
    hooks::HookServerOptions hook_options;
    hook_options.log = [](const std::string& line) { log(LogLevel::debug, "hooks: " + line); };
    hook_options.max_commands = config.hooks_max_commands;
    hook_options.metrics = parts->metrics.get();
    // Commands never see hookd's own secrets in their environment (HOOKD_* variables are left out too).
    hook_options.secrets = {parts->jwt_secret, config.db_dsn, config.operational_webhooks.secret};
    for (const auto& source : config.sources) {
      hook_options.secrets.insert(hook_options.secrets.end(), source.secrets.begin(), source.secrets.end());
    }
    parts->hooks = std::make_unique<hooks::HookServer>(std::move(all), hook_options);
  }
  net::ServerOptions http_options;
  http_options.address = config.listen_address;
  http_options.port = config.port;
  http_options.threads = config.io_threads;
  http_options.limits = config.http;
  http_options.warn = [](const std::string& message) { log_warn("http: " + message); };
  http_options.server_header = "hookd/" HOOKD_VERSION;
  Parts* wired = parts.get();
  std::string listen_error;
  parts->http = net::HttpServer::listen(
      http_options,
      [wired](net::HttpRequest&& request, net::Respond respond) {
        if (wired->hooks && request.path().starts_with("/hooks/")) {
          return wired->hooks->handle(std::move(request), std::move(respond));
        }
        wired->api->handle(std::move(request), std::move(respond));
      },
      listen_error);
  if (!parts->http) return core::error(core::ErrorCode::internal, listen_error);

  api::ApiOptions api_options;
  api_options.jwt_secret = parts->jwt_secret;
  api_options.https_only = config.https_only;
  api_options.events = parts->operational.get();
  api_options.warn = [](const std::string& message) { log_warn(message); };
  api_options.error = [](const std::string& message) { log_error(message); };
  api_options.metrics = parts->metrics.get();
  api_options.render_metrics = render_metrics;
  // Bound by now, so that the port is known even when the configuration asked for port 0.
  api_options.public_url = config.public_url.empty()
                               ? "http://" + config.listen_address + ":" + std::to_string(parts->http->port())
                               : config.public_url;
  // Routes that block on the store run on the workers, never on an I/O thread.
  WorkerPool* workers = parts->workers.get();
  parts->api =
      std::make_unique<api::Api>(*parts->store, parts->dispatcher.get(), core::SystemClock::instance(), api_options,
                                 [workers](std::function<void()> work) { workers->post(std::move(work)); });
  parts->http->start();
  watch_other_nodes(*parts);
  return std::unique_ptr<HookdServer>(new HookdServer(std::move(parts)));
}

std::uint16_t HookdServer::port() const { return parts_->http ? parts_->http->port() : 0; }
std::uint16_t HookdServer::metrics_port() const { return parts_->monitoring ? parts_->monitoring->port() : 0; }

namespace {

// How a client on this machine reaches a listener bound to `address`.
std::string local_url(const std::string& address, std::uint16_t port) {
  const std::string host = address == "0.0.0.0"                     ? "127.0.0.1"
                           : address == "::"                        ? "[::1]"
                           : address.find(':') != std::string::npos ? "[" + address + "]"
                                                                    : address;
  return "http://" + host + ":" + std::to_string(port);
}

}  // namespace

std::string HookdServer::base_url() const { return local_url(parts_->config.listen_address, port()); }

std::string HookdServer::metrics_url() const {
  return parts_->monitoring ? local_url(parts_->config.metrics_address, metrics_port()) : std::string();
}

const std::string& HookdServer::jwt_secret() const { return parts_->jwt_secret; }
bool HookdServer::generated_secret() const { return parts_->generated_secret; }

std::string HookdServer::org_token(std::string_view org_id) const {
  return api::issue_token({std::string(org_id), std::nullopt, std::nullopt}, parts_->jwt_secret,
                          core::SystemClock::instance().now());
}

store::Store& HookdServer::store() { return *parts_->store; }

void HookdServer::stop(std::chrono::milliseconds grace) {
  if (parts_->stopped) return;
  parts_->stopped = true;
  parts_->store->watch({});                                 // nothing more reaches the parts that stop
  if (parts_->monitoring) parts_->monitoring->stop(grace);  // scrapes in flight answer
  if (parts_->http) parts_->http->stop(grace);              // no new requests; those in flight answer
  if (parts_->workers) parts_->workers->stop();             // the API work queued behind them finishes
  if (parts_->hooks) parts_->hooks->stop(grace);            // hook commands still running finish
  if (parts_->operational) parts_->operational->stop();     // the events reported so far are stored
  if (parts_->dispatcher) parts_->dispatcher->stop(grace);  // attempts in flight finish; outcomes are written
  if (parts_->loop) parts_->loop->stop();
  if (parts_->purger) parts_->purger->stop();
  (void)parts_->store->flush();
}

}  // namespace hookd::server

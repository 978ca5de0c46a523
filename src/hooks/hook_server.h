// Serving hooks over HTTP as the `webhook` tool does: /{urlprefix}/{id}, with its status codes and its
// answer texts, so that a hooks file behaves the same under `hookd hooks`. Commands run on threads of
// their own; the HTTP thread never waits for one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hooks/hook.h"
#include "metrics/metrics.h"
#include "net/http_message.h"
#include "net/http_server.h"

namespace hookd::hooks {

struct HookServerOptions {
  std::string url_prefix = "hooks";  // empty: hooks at /{id}
  std::vector<Header> headers;       // -header name=value: on every hook answer (a name given twice: the last)
  std::vector<std::string>
      default_methods;  // -http-methods (upper-cased, without spaces): for hooks that name none; empty: any
  bool use_request_id_header = false;           // -x-request-id
  std::size_t request_id_limit = 0;             // -x-request-id-limit; 0: whole
  std::function<void(const std::string&)> log;  // one line per event; may be empty
  // Commands started and not yet finished (or waiting for their hook's hookd-max-concurrency), all hooks
  // together; past it a request is answered 503 "Too many requests for this hook.", as a hook's own
  // full queue answers. `webhook` has no limit: each request started a thread and a process.
  int max_commands = 64;
  // Values that commands never see in their environment (hookd's own secrets under `hookd serve
  // --hooks`: the JWT secret, the database's connection string, source secrets read from `env:`):
  // a variable holding one is left out, and so is every HOOKD_* variable. Every other variable is passed
  // as `webhook` passes it.
  std::vector<std::string> secrets;
  metrics::Metrics* metrics = nullptr;  // counts hook runs; outlives the server; may be null
};

class HookServer {
 public:
  HookServer(std::vector<Hook> hooks, HookServerOptions options);
  ~HookServer();

  // Answers through `respond`, exactly once. Thread-safe.
  void handle(net::HttpRequest request, net::Respond respond);
  // Replaces the hooks (hot reload); requests already running finish with the old ones. Of hooks with the
  // same id, the first is served, as in `webhook`.
  void replace(std::vector<Hook> hooks);
  // Waits (at most `grace`) for the commands still running; those that run longer finish on their own.
  void stop(std::chrono::milliseconds grace);

  struct Slots;

 private:
  std::shared_ptr<const Hook> find(const std::string& id) const;
  bool method_allowed(const Hook& hook, const std::string& method) const;
  void log(const std::string& request_id, const std::string& line) const;

  HookServerOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Hook>> hooks_;
  std::map<std::string, std::shared_ptr<Slots>> slots_;  // per hook id, for hookd-max-concurrency
  // Shared with the command threads, which may outlive the server when stop() runs out of time.
  struct Running {
    std::atomic<int> count{0};
    std::function<void(const std::string&)> log;
    metrics::Metrics* metrics = nullptr;
  };
  std::shared_ptr<Running> running_ = std::make_shared<Running>();
  std::vector<std::string> hidden_environment_;  // names of variables commands do not get
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace hookd::hooks

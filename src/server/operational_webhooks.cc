#include "server/operational_webhooks.h"

#include <boost/json.hpp>

#include "api/response_output.h"
#include "core/ids.h"
#include "hookd/sign/secret.h"
#include "server/log.h"

namespace hookd::server {
namespace {

namespace json = boost::json;
using api::nullable;

constexpr const char* kConfigEndpoint = "config";  // the uid of the endpoint from the configuration
constexpr std::chrono::hours kRetention{24 * 90};

struct EventTypeText {
  const char* name;
  const char* description;
};
constexpr EventTypeText kEventTypes[] = {
    {"endpoint.created", "An endpoint was created."},
    {"endpoint.updated", "An endpoint was updated."},
    {"endpoint.deleted", "An endpoint was deleted."},
    {"endpoint.disabled",
     "An endpoint was disabled: by the API (manual), or after 410 Gone or failing for too long "
     "(automatic)."},
    {"endpoint.enabled", "An endpoint was enabled."},
    {"message.attempt.failing", "A message's fourth attempt to an endpoint failed."},
    {"message.attempt.exhausted", "A message failed every attempt of its retry schedule to an endpoint."},
    {"message.attempt.recovered", "A message succeeded after message.attempt.failing was sent for it."},
};

core::Status ensure_setup(store::Store& store, const core::Clock& clock, const OperationalWebhooksOptions& options,
                          std::string& app_id) {
  const auto now = clock.now();
  auto app = store.get_application(kOperationalOrg, kOperationalApp);
  if (!app) {
    app = store.create_application({core::new_id("app_"),
                                    kOperationalOrg,
                                    std::string(kOperationalApp),
                                    "hookd operational webhooks",
                                    std::nullopt,
                                    {},
                                    now,
                                    now});
    if (!app && app.error().code == core::ErrorCode::conflict)
      app = store.get_application(kOperationalOrg, kOperationalApp);
    if (!app) return fail(std::move(app).error());
  }
  app_id = app->id;
  for (const auto& type : kEventTypes) {
    if (store.get_event_type(kOperationalOrg, type.name)) continue;
    auto created = store.create_event_type(
        {kOperationalOrg, type.name, type.description, false, false, std::nullopt, std::nullopt, now, now});
    if (!created && created.error().code != core::ErrorCode::conflict) return fail(std::move(created).error());
  }

  if (options.url.empty()) {
    // Configured no more: the endpoint from the configuration goes (endpoints added through the API stay).
    if (auto old = store.get_endpoint(kOperationalOrg, app_id, kConfigEndpoint)) {
      return store.delete_endpoint(kOperationalOrg, app_id, old->id);
    }
    return {};
  }
  std::optional<std::vector<std::string>> filter;
  if (!options.event_types.empty()) filter = options.event_types;
  store::Endpoint fresh;
  fresh.id = core::new_id("ep_");
  fresh.org_id = kOperationalOrg;
  fresh.app_id = app_id;
  fresh.uid = kConfigEndpoint;
  fresh.url = options.url;
  fresh.description = "operational_webhooks.url in the configuration";
  fresh.event_types = filter;
  fresh.keys = {{options.secret.empty() ? sign::Secret::generate_hmac().to_string() : options.secret, std::nullopt}};
  fresh.created_at = fresh.updated_at = now;
  auto saved = store.update_endpoint(
      kOperationalOrg, app_id, kConfigEndpoint,
      [&](store::Endpoint& endpoint) {
        endpoint.url = options.url;
        endpoint.event_types = filter;
        endpoint.disabled = false;
        if (!options.secret.empty() && (endpoint.keys.empty() || endpoint.keys.front().secret != options.secret)) {
          endpoint.keys = {{options.secret, std::nullopt}};
        }
        endpoint.updated_at = now;
        return core::Status{};
      },
      fresh);
  if (!saved) return fail(std::move(saved).error());
  return {};
}

}  // namespace

core::Result<std::unique_ptr<OperationalWebhooks>> OperationalWebhooks::start(store::Store& store,
                                                                              const core::Clock& clock,
                                                                              OperationalWebhooksOptions options) {
  std::string app_id;
  if (auto ready = ensure_setup(store, clock, options, app_id); !ready) {
    return core::error(ready.error().code, "setting up operational webhooks: " + ready.error().detail);
  }
  return std::unique_ptr<OperationalWebhooks>(new OperationalWebhooks(store, clock, std::move(options), app_id));
}

OperationalWebhooks::OperationalWebhooks(store::Store& store, const core::Clock& clock,
                                         OperationalWebhooksOptions options, std::string app_id)
    : store_(store), clock_(clock), options_(std::move(options)), app_id_(std::move(app_id)) {
  thread_ = std::thread([this] { run(); });
}

OperationalWebhooks::~OperationalWebhooks() { stop(); }

void OperationalWebhooks::attach(delivery::Dispatcher* dispatcher) {
  std::lock_guard lock(mutex_);
  dispatcher_ = dispatcher;
}

void OperationalWebhooks::publish(delivery::OperationalEvent event) {
  if (event.org_id == kOperationalOrg) return;
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (pending_.size() >= options_.max_pending) {
    // Logged at powers of two, so that a flood does not flood the log too.
    ++dropped_;
    if ((dropped_ & (dropped_ - 1)) == 0) {
      log_warn("operational webhooks: " + std::to_string(dropped_) + " events dropped, more than " +
               std::to_string(options_.max_pending) + " were waiting");
    }
    return;
  }
  pending_.push_back(std::move(event));
  wake_.notify_one();
}

void OperationalWebhooks::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OperationalWebhooks::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything is written
    delivery::OperationalEvent event = std::move(pending_.front());
    pending_.pop_front();
    lock.unlock();
    send(event);
    lock.lock();
  }
}

void OperationalWebhooks::send(const delivery::OperationalEvent& event) {
  // Nobody listens: no message either.
  auto listeners = store_.list_endpoints(kOperationalOrg, app_id_, {1, std::nullopt, false});
  if (listeners && listeners->items.empty()) return;
  json::object data;
  data["appId"] = event.app_id;
  auto app = store_.get_application(event.org_id, event.app_id);
  data["appUid"] = app ? nullable(app->uid) : json::value(nullptr);
  if (event.msg_id) {
    data["msgId"] = *event.msg_id;
    auto message = store_.get_message(event.app_id, *event.msg_id);
    data["msgEventId"] = message ? nullable(message->event_id) : json::value(nullptr);
  }
  data["endpointId"] = event.endpoint_id;
  if (!event.msg_id) data["endpointUid"] = nullable(event.endpoint_uid);
  if (event.last_attempt) {
    data["lastAttempt"] = {{"id", event.last_attempt->id},
                           {"responseStatusCode", event.last_attempt->response_status_code},
                           {"timestamp", core::format_rfc3339(event.last_attempt->timestamp)}};
  }
  if (event.type == "endpoint.disabled") {
    data["failSince"] = event.fail_since ? json::value(core::format_rfc3339(*event.fail_since)) : json::value(nullptr);
    if (event.trigger) data["trigger"] = *event.trigger;
  }
  json::object body{{"type", event.type}, {"data", std::move(data)}};

  const auto now = clock_.now();
  store::NewMessage input;
  input.message = {core::new_id("msg_"), kOperationalOrg,       app_id_, event.type,      std::nullopt,
                   std::nullopt,         json::serialize(body), now,     now + kRetention};
  delivery::Dispatcher* dispatcher = nullptr;
  {
    std::lock_guard lock(mutex_);
    dispatcher = dispatcher_;
  }
  input.claim = dispatcher != nullptr;
  if (dispatcher) input.leave_queued = dispatcher->leave_queued();
  auto created = store_.create_message(std::move(input));
  if (!created) {
    log_error("operational webhooks: cannot store a " + event.type + " event: " + created.error().detail);
    return;
  }
  if (options_.metrics) options_.metrics->message_accepted(metrics::Origin::operational);
  if (dispatcher) dispatcher->submit(std::move(created->tasks), std::move(created->queued));
}

}  // namespace hookd::server

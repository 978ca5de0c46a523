// Operational webhooks: the operator hears of endpoints created, updated, deleted, disabled or enabled,
// and of messages failing, exhausting their retries or recovering, as Svix's operational webhooks say
// it ({"type": …, "data": {…}}).
//
// They are ordinary messages of hookd's own application `operational` (uid) in the organization
// `org_operational`, so they get everything deliveries get: signing, retries, attempt logs, resend. Its
// endpoints are the one in the configuration (`operational_webhooks.url`, uid `config`) and any the
// operator adds through the API with a token for `org_operational`. Events of that organization itself
// are not reported, so that a failing operational endpoint cannot feed itself.
//
// While the application has no endpoint, events are not stored. publish() never blocks: events are
// queued (at most `max_pending`; beyond that they are dropped and counted in the log) and written by a
// thread of this class's own.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "delivery/dispatcher.h"
#include "delivery/operational_events.h"
#include "store/store.h"

namespace hookd::server {

inline constexpr const char* kOperationalOrg = "org_operational";
inline constexpr const char* kOperationalApp = "operational";  // the application's uid

struct OperationalWebhooksOptions {
  std::string url;                       // empty: no endpoint from the configuration
  std::string secret;                    // whsec_…; empty: generated when the endpoint is created
  std::vector<std::string> event_types;  // empty: every event type
  std::size_t max_pending = 10000;
  // Counts the events stored as messages (not a setting: hookd serve sets it); may be null.
  metrics::Metrics* metrics = nullptr;
};

class OperationalWebhooks : public delivery::OperationalEvents {
 public:
  // Makes sure the application, its event types and the configured endpoint exist (or that the
  // endpoint is gone when none is configured), and starts the sending thread.
  static core::Result<std::unique_ptr<OperationalWebhooks>> start(store::Store& store, const core::Clock& clock,
                                                                  OperationalWebhooksOptions options);
  ~OperationalWebhooks() override;

  // The dispatcher that delivers them on this node (none on an API-only node: a worker claims them).
  void attach(delivery::Dispatcher* dispatcher);
  void publish(delivery::OperationalEvent event) override;
  // Writes the events queued so far, and stops the thread.
  void stop();

 private:
  OperationalWebhooks(store::Store& store, const core::Clock& clock, OperationalWebhooksOptions options,
                      std::string app_id);
  void run();
  void send(const delivery::OperationalEvent& event);

  store::Store& store_;
  const core::Clock& clock_;
  const OperationalWebhooksOptions options_;
  const std::string app_id_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<delivery::OperationalEvent> pending_;
  bool stopping_ = false;
  std::uint64_t dropped_ = 0;
  delivery::Dispatcher* dispatcher_ = nullptr;
  std::thread thread_;
};

}  // namespace hookd::server

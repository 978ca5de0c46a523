// Operational events: what happened to endpoints and deliveries, for the operator (Svix's operational
// webhooks). The dispatcher and the API report them here; the server turns each into a webhook of
// hookd's own operational application (server/operational_webhooks.h), delivered by the same engine.
#pragma once

#include <optional>
#include <string>

#include "core/time.h"

namespace hookd::delivery {

// The last attempt of a message, as message.attempt.* events carry it.
struct AttemptSummary {
  std::string id;
  int response_status_code = 0;
  core::TimePoint timestamp;
};

struct OperationalEvent {
  // endpoint.created, endpoint.updated, endpoint.deleted, endpoint.disabled, endpoint.enabled,
  // message.attempt.failing, message.attempt.exhausted, message.attempt.recovered.
  std::string type;
  std::string org_id;
  std::string app_id;
  std::string endpoint_id;
  std::optional<std::string> endpoint_uid;
  std::optional<std::string> msg_id;           // message.attempt.*
  std::optional<AttemptSummary> last_attempt;  // message.attempt.*
  std::optional<core::TimePoint> fail_since;   // endpoint.disabled
  std::optional<std::string> trigger;          // endpoint.disabled: "automatic" or "manual"
};

class OperationalEvents {
 public:
  virtual ~OperationalEvents() = default;
  // Takes the event for sending. Never blocks; may be called from any thread.
  virtual void publish(OperationalEvent event) = 0;
};

}  // namespace hookd::delivery

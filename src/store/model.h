// The records hookd keeps (DESIGN.md §4), as plain values. Field names follow the Svix API; the JSON
// mapping lives in src/api.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace hookd::store {

using core::TimePoint;
using StringMap = std::map<std::string, std::string>;

struct Application {
  std::string id;  // app_…
  std::string org_id;
  std::optional<std::string> uid;
  std::string name;
  std::optional<int> throttle_rate;  // deliveries per second, for every endpoint of the app together
  StringMap metadata;
  TimePoint created_at;
  TimePoint updated_at;
};

struct EventType {
  std::string org_id;
  std::string name;
  std::string description;
  bool archived = false;
  bool deprecated = false;
  std::optional<std::string> schemas;  // JSON object text, as given
  std::optional<std::string> feature_flag;
  TimePoint created_at;
  TimePoint updated_at;
};

// One signing key of an endpoint. The current key has no expiry; keys replaced by a rotation expire.
struct EndpointKey {
  std::string secret;  // "whsec_…"
  std::optional<TimePoint> expires_at;
};

struct Endpoint {
  std::string id;  // ep_…
  std::string org_id;
  std::string app_id;
  std::optional<std::string> uid;
  std::string url;
  std::string description;
  int version = 1;
  std::optional<int> throttle_rate;
  bool disabled = false;
  std::optional<std::vector<std::string>> event_types;  // null: every event type
  std::optional<std::vector<std::string>> channels;     // null: every message
  StringMap headers;                                    // custom headers sent with each delivery
  StringMap metadata;
  std::vector<EndpointKey> keys;  // the current key first
  // hookd's extension: seconds before each retry, overriding the server's schedule; null: the server's.
  std::optional<std::vector<int>> retry_schedule;
  // hookd's extension: deliver one message at a time, in order; the next waits until the previous one
  // succeeded or exhausted its retries.
  bool fifo = false;
  // When the current run of failed attempts began (none since); null: the last attempt succeeded. Kept
  // by the dispatcher, to disable an endpoint that fails for too long; cleared when it is re-enabled.
  std::optional<TimePoint> failing_since;
  TimePoint created_at;
  TimePoint updated_at;
};

// Delivery status of a message to an endpoint, and of one attempt. Values are the Svix API's.
enum class MessageStatus { success = 0, pending = 1, fail = 2, sending = 3 };
enum class TriggerType { scheduled = 0, manual = 1 };

struct Message {
  std::string id;  // msg_…
  std::string org_id;
  std::string app_id;
  std::string event_type;
  std::optional<std::string> event_id;
  std::optional<std::vector<std::string>> channels;
  std::optional<std::string> payload;  // the JSON object exactly as received; nullopt once expunged
  TimePoint created_at;
  TimePoint payload_expires_at;
  // How many hookd servers it passed through before this one (an inbound request's hookd-hops header);
  // its deliveries carry one more, and are refused past DispatcherOptions::max_hops.
  int hops = 0;
};

// The delivery of one message to one endpoint: the queue entry.
struct Destination {
  std::string msg_id;
  std::string endpoint_id;
  MessageStatus status = MessageStatus::pending;
  int attempts = 0;
  std::optional<TimePoint> next_attempt_at;
  TimePoint updated_at;
};

struct Attempt {
  std::string id;  // atmpt_…
  std::string org_id;
  std::string app_id;
  std::string msg_id;
  std::string endpoint_id;
  std::string url;
  std::string response;  // the body, truncated, or what went wrong
  int response_status_code = 0;
  std::int64_t response_duration_ms = 0;
  MessageStatus status = MessageStatus::fail;
  TriggerType trigger = TriggerType::scheduled;
  TimePoint created_at;
};

struct EndpointStats {
  std::int64_t success = 0, pending = 0, sending = 0, fail = 0, canceled = 0;
};

// A message as the endpoint sees it, and an endpoint as a message sees it.
struct EndpointMessage {
  Message message;
  Destination destination;
};
struct MessageDestination {
  Endpoint endpoint;
  Destination destination;
};

// One unit of delivery work: a message to send to an endpoint. The payload is shared between the
// endpoints of one message.
struct DeliveryTask {
  std::string msg_id;
  std::string endpoint_id;
  std::string app_id;
  std::string org_id;
  std::string event_type;
  std::shared_ptr<const std::string> payload;
  int attempts = 0;  // attempts made so far
  TriggerType trigger = TriggerType::scheduled;
  TimePoint due;
  // Shared by the copies of the task while any is in memory; whoever counts what memory holds (the
  // dispatcher's cap on manual attempts) frees its count when the last copy goes. May be null.
  std::shared_ptr<const void> held;
  int hops = 0;           // the message's (Message::hops)
  TimePoint accepted_at;  // the message's created_at: delivery lag is measured from it
};

// What one attempt changed: the attempt row, and (unless nothing changes) the destination's new state.
struct DestinationUpdate {
  MessageStatus status;
  int attempts;
  std::optional<TimePoint> next_attempt_at;
  bool claimed;  // whether this node keeps the work in memory (false: it goes back to the store's queue)
};
struct DeliveryOutcome {
  std::optional<Attempt> attempt;  // none when work is only handed back to the store
  std::string msg_id;
  std::string endpoint_id;
  std::optional<DestinationUpdate> destination;
  // A manual attempt succeeded: the destination becomes a success, and nothing else of it changes.
  bool manual_success = false;
};

// Work claimed from the store's queue, and when the rest of the endpoint's queued work is next due.
struct ClaimedWork {
  std::vector<DeliveryTask> tasks;
  std::optional<TimePoint> next_due;
};

// An inbound source: where a provider POSTs (/in/{name}), how its requests are proven genuine, how
// duplicates are recognised, and which application's messages they become.
struct Source {
  std::string id;  // src_…
  std::string org_id;
  std::string name;                          // unique across organizations: it is the ingress URL
  std::string scheme;                        // a sign::Scheme name, or "basic" or "none"
  std::vector<std::string> secrets;          // any one verifies; "user:password" for basic
  std::optional<int> tolerance_seconds;      // for the timestamped schemes; null: the library's default
  StringMap hmac;                            // for the hmac scheme: header, algorithm, encoding, prefix
  std::string app_id;                        // the application its requests become messages of
  std::optional<std::string> event_type;     // a fixed event type; null: the provider's
  std::optional<std::string> dedupe_header;  // the delivery id's header, instead of the provider's
  std::optional<std::string> dedupe_field;   // or a JSON field of the body (dot path)
  int dedupe_window_seconds = 24 * 3600;
  TimePoint created_at;
  TimePoint updated_at;
};

// A verified request a source received, kept as it came.
struct InboundRequest {
  std::string id;  // in_…
  std::string org_id;
  std::string source_id;
  TimePoint received_at;
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::string body;                                          // the raw bytes
  std::optional<std::string> dedupe_key;
  std::string msg_id;  // the message it became
  // For providers that sign no timestamp: a digest of what the signature covers (the body). A request
  // with the same key within the dedupe window is a duplicate too, whatever its delivery id.
  std::optional<std::string> replay_key;
};

// An API answer kept under its request's idempotency key, for a retry of the request to find on any node.
struct KeptAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  TimePoint at;
};

// What one step of Store::prune_messages did; `last` is where the next step continues (none: done).
struct PruneBatch {
  std::int64_t messages = 0;
  std::int64_t attempts = 0;
  std::int64_t kept_pending = 0;
  std::optional<std::string> last;
};

// Lists. `iterator` is an id (or event type name) to continue after; a leading '-' walks backwards.
struct PageQuery {
  int limit = 50;
  std::optional<std::string> iterator;
  bool ascending = false;  // default: newest first
};

template <class T>
struct Page {
  std::vector<T> items;
  bool done = true;  // no more items in the direction walked
  bool backwards = false;
};

struct MessageFilter {
  std::optional<std::string> channel;
  std::optional<std::vector<std::string>> event_types;
  std::optional<TimePoint> before;
  std::optional<TimePoint> after;
  std::optional<MessageStatus> status;  // for attempted messages
};

struct AttemptFilter {
  std::optional<std::string> msg_id;       // attempts of one message…
  std::optional<std::string> endpoint_id;  // …and/or to one endpoint
  std::optional<MessageStatus> status;
  std::optional<int> status_code_class;  // 0 (no answer), 100, 200, 300, 400, 500
  std::optional<std::string> channel;
  std::optional<std::vector<std::string>> event_types;
  std::optional<TimePoint> before;
  std::optional<TimePoint> after;
};

}  // namespace hookd::store

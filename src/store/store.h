// The Store: hookd's database, and its delivery queue. One implementation, sql::SqlStore, on two
// databases: SQLite (embedded, the default, one node) and PostgreSQL (one or several nodes).
//
// Contracts for every implementation:
// - Thread safety: every method may be called from any thread at once.
// - Durability: a write method returns only after its transaction committed (and, with the default
//   synchronous setting, reached the disk). Concurrent writes share transactions (group commit).
// - Tenancy: every method that takes an org id only ever reads or writes that organization's rows; an
//   application of another organization is not_found, never forbidden.
// - Ids or uids: `app` and `endpoint` arguments accept either the id or the uid.
// - Errors: not_found, conflict (a uid or eventId in use), validation (an endpoint naming event types
//   that do not exist), internal (the database failed).
// - Several nodes (a shared database): a node claims deliveries only of the applications it holds a
//   lease on (see docs/operations.md), so that per-endpoint and per-application rules hold across the
//   cluster; leases are renewed while the node lives, released when it stops, and taken over by
//   another node once they expire.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "store/model.h"

namespace hookd::store {

using core::Result;
using core::Status;

// A write that creates when the row is missing (PUT): the row, and whether it was created.
template <class T>
struct Saved {
  T value;
  bool created = false;
};

// Changes a row in place inside the write transaction; returning an error aborts the write.
template <class T>
using Change = std::function<core::Status(T&)>;

struct NewMessage {
  Message message;  // id, org, app, event type, event id, channels, payload, times filled by the caller
  std::optional<std::string> only_endpoint;  // route to this endpoint alone (send-example)
  // Whether the caller's dispatcher takes the deliveries at once (claimed), or they wait in the queue for
  // whichever node delivers (a node that only serves the API).
  bool claim = true;
  // Endpoints whose deliveries wait in the queue even when `claim` is set: those whose dispatcher queue is
  // full, so that it claims them when it has room. FIFO endpoints' deliveries always wait there, so that
  // they are claimed in order.
  std::shared_ptr<const std::unordered_set<std::string>> leave_queued;
};

// A committed message and the deliveries it needs. When NewMessage::claim was set, the destinations in
// `tasks` are claimed by this node and the caller must hand them to its dispatcher, and tell it of the
// endpoints in `queued`, whose deliveries wait in the store's queue.
struct CreatedMessage {
  Message message;
  std::vector<DeliveryTask> tasks;
  std::vector<std::string> queued;
};

// A verified inbound request to keep, and the message it becomes. When the request has a dedupe key and
// an earlier request of the source had the same key at or after `duplicate_since`, nothing is written:
// it is a duplicate.
struct NewInbound {
  InboundRequest request;
  TimePoint duplicate_since;
  NewMessage route;
};

struct Received {
  std::string request_id;  // the new request's id, or the earlier copy's for a duplicate
  bool duplicate = false;
  std::optional<CreatedMessage> created;  // none for a duplicate
};

// What the nodes sharing a database tell each other (watch()). Each runs on a thread of the store's and
// must be quick; any may be empty.
struct ChangeHandlers {
  std::function<void(const std::string& endpoint_id)> work;              // deliveries wait in the queue
  std::function<void(const std::string& endpoint_id)> endpoint_changed;  // changed or deleted
  std::function<void(const std::string& app_id)> application_changed;
  std::function<void()> sources_changed;
  // Announcements may have been missed (the connection broke): look at everything again.
  std::function<void()> rescan;
  // Another node took over this node's lease on the application (this one had stalled for longer than
  // the lease lasts): what this node holds of its deliveries is that node's to make now.
  std::function<void(const std::string& app_id)> lease_lost;
};

// What an operator watches of the store (the gauges of GET /metrics).
struct StoreGauges {
  std::int64_t queued = 0;     // deliveries due now in the queue, held by no node
  std::int64_t scheduled = 0;  // deliveries in the queue waiting for a later time (a retry)
  std::int64_t parked = 0;     // deliveries in the queue waiting for their disabled endpoint (not above)
  std::int64_t endpoints_disabled = 0;
  std::optional<std::int64_t> leases_held;  // a shared database: applications this node holds the lease of
};

class Store {
 public:
  virtual ~Store() = default;

  // Applications.
  virtual Result<Application> create_application(Application app) = 0;
  virtual Result<Application> get_application(std::string_view org, std::string_view app) = 0;
  virtual Result<Page<Application>> list_applications(std::string_view org, const PageQuery& page) = 0;
  // Applies `change` to the app; when it does not exist and `create` is given, inserts `create` instead.
  virtual Result<Saved<Application>> update_application(std::string_view org, std::string_view app,
                                                        const Change<Application>& change,
                                                        std::optional<Application> create = std::nullopt) = 0;
  virtual Status delete_application(std::string_view org, std::string_view app) = 0;

  // Event types (identified by name within an organization).
  virtual Result<EventType> create_event_type(EventType type) = 0;
  virtual Result<EventType> get_event_type(std::string_view org, std::string_view name) = 0;
  virtual Result<Page<EventType>> list_event_types(std::string_view org, const PageQuery& page,
                                                   bool include_archived) = 0;
  virtual Result<Saved<EventType>> update_event_type(std::string_view org, std::string_view name,
                                                     const Change<EventType>& change,
                                                     std::optional<EventType> create = std::nullopt) = 0;
  // Archives the event type, or deletes it for good with `expunge`.
  virtual Status delete_event_type(std::string_view org, std::string_view name, bool expunge) = 0;

  // Endpoints of an application. Creating or changing an endpoint checks that its event types exist.
  virtual Result<Endpoint> create_endpoint(Endpoint endpoint) = 0;
  virtual Result<Endpoint> get_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) = 0;
  virtual Result<Page<Endpoint>> list_endpoints(std::string_view org, std::string_view app_id,
                                                const PageQuery& page) = 0;
  virtual Result<Saved<Endpoint>> update_endpoint(std::string_view org, std::string_view app_id,
                                                  std::string_view endpoint, const Change<Endpoint>& change,
                                                  std::optional<Endpoint> create = std::nullopt) = 0;
  virtual Status delete_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) = 0;
  virtual Result<EndpointStats> endpoint_stats(std::string_view app_id, std::string_view endpoint_id,
                                               std::optional<TimePoint> since, std::optional<TimePoint> until) = 0;
  // The endpoint by id alone, deleted or not: for the dispatcher, which has no organization at hand.
  virtual Result<Endpoint> find_endpoint(std::string_view endpoint_id) = 0;

  // Messages. create_message writes the message, its payload and one destination per matching endpoint
  // in one transaction; a second message with the same eventId in the app is a conflict.
  virtual Result<CreatedMessage> create_message(NewMessage message) = 0;
  // The same without blocking: `done` runs once the transaction has committed (or failed), on a thread of
  // the store's; it must be quick.
  virtual void create_message_async(NewMessage message, std::function<void(Result<CreatedMessage>)> done) = 0;
  virtual Result<Message> get_message(std::string_view app_id, std::string_view msg) = 0;
  virtual Result<Page<Message>> list_messages(std::string_view app_id, const PageQuery& page,
                                              const MessageFilter& filter) = 0;
  virtual Status expunge_message_content(std::string_view app_id, std::string_view msg_id) = 0;

  // Attempts and destinations.
  virtual Result<Page<Attempt>> list_attempts(std::string_view app_id, const PageQuery& page,
                                              const AttemptFilter& filter) = 0;
  virtual Result<Attempt> get_attempt(std::string_view app_id, std::string_view msg_id,
                                      std::string_view attempt_id) = 0;
  virtual Status expunge_attempt_content(std::string_view app_id, std::string_view msg_id,
                                         std::string_view attempt_id) = 0;
  virtual Result<Page<EndpointMessage>> list_endpoint_messages(std::string_view app_id, std::string_view endpoint_id,
                                                               const PageQuery& page, const MessageFilter& filter) = 0;
  virtual Result<Page<MessageDestination>> list_message_destinations(std::string_view app_id, std::string_view msg_id,
                                                                     const PageQuery& page) = 0;

  // Delivery work.
  // Records attempts and destination changes. Asynchronous: returns at once; the rows are written in
  // the next group commit. A crash before then loses them, and the work is done again (at least once).
  virtual void record_outcomes(std::vector<DeliveryOutcome> outcomes) = 0;
  // Claims up to `limit` destinations of `endpoint_id` that are pending, unclaimed and due at `now`,
  // oldest due first, with their payloads; and says when the earliest of the endpoint's remaining
  // unclaimed work is due.
  virtual Result<ClaimedWork> claim_due(std::string_view endpoint_id, TimePoint now, int limit) = 0;
  // For a FIFO endpoint: claims up to `limit` of its pending, unclaimed destinations in message order,
  // due or not (the first in order goes first, so the dispatcher waits for it), and says when the
  // earliest of the rest is due.
  virtual Result<ClaimedWork> claim_in_order(std::string_view endpoint_id, int limit) = 0;
  // Endpoints that have pending, unclaimed destinations, and when the earliest is due.
  virtual Result<std::vector<std::pair<std::string, TimePoint>>> unclaimed_work() = 0;
  // Gives back this node's claims (at start: those of a process that is gone; at stop: so that other
  // nodes take the work at once). Alone on the database, every claim.
  virtual Status release_all_claims() = 0;
  // One destination as a task, for a manual resend (claimed by nobody; manual attempts run beside it).
  virtual Result<DeliveryTask> manual_task(std::string_view app_id, std::string_view msg_id,
                                           std::string_view endpoint_id) = 0;
  // Puts the endpoint's failed deliveries of messages created in [since, until) back in the queue, due
  // at `now` (recover): each is tried once more as the queue's work is claimed (within the dispatcher's
  // limits; the rest waits in the store), and stays failed if that fails too. Says how many.
  virtual Result<int> requeue_failed(std::string_view app_id, std::string_view endpoint_id, TimePoint since,
                                     std::optional<TimePoint> until, TimePoint now) = 0;

  // Inbound sources. Names are unique within an organization; `source` arguments accept the id or the
  // name.
  virtual Result<Source> create_source(Source source) = 0;
  virtual Result<Source> get_source(std::string_view org, std::string_view source) = 0;
  virtual Result<Page<Source>> list_sources(std::string_view org, const PageQuery& page) = 0;
  virtual Result<Saved<Source>> update_source(std::string_view org, std::string_view source,
                                              const Change<Source>& change, std::optional<Source> create) = 0;
  virtual Status delete_source(std::string_view org, std::string_view source) = 0;
  // For the ingress, which has no token: the source with this id, whichever organization owns it, or
  // with this name in organization `names_of` (the default one).
  virtual Result<Source> find_source(std::string_view source, std::string_view names_of) = 0;

  // Inbound requests: kept, deduplicated and routed in one transaction.
  virtual void receive_async(NewInbound inbound, std::function<void(Result<Received>)> done) = 0;
  virtual Result<Page<InboundRequest>> list_inbound(std::string_view source_id, const PageQuery& page) = 0;
  virtual Result<InboundRequest> get_inbound(std::string_view source_id, std::string_view request_id) = 0;

  // Idempotency keys. `key` is a digest of the request's token, key and path (never the token itself).
  // The answer kept under `key` at or after `since`, if any.
  virtual Result<std::optional<KeptAnswer>> find_answer(std::string_view key, TimePoint since) = 0;
  // Keeps an answer (the first kept under a key stands), dropping a few answers older than `expired`;
  // `done` runs once it committed, on a thread of the store's.
  virtual void keep_answer_async(std::string key, KeptAnswer answer, TimePoint expired,
                                 std::function<void(Status)> done) = 0;

  // Retention.
  // Deletes up to `limit` payloads whose expiry (Message::payload_expires_at) is at or before `now`, and
  // says how many it deleted. The messages stay, with no payload.
  virtual Result<int> purge_expired_payloads(TimePoint now, int limit) = 0;
  // Deletes up to `limit` messages created before `before`, with their payloads, deliveries and attempts,
  // walking in id order after `after`. A message with a delivery still pending is kept.
  virtual Result<PruneBatch> prune_messages(TimePoint before, std::optional<std::string> after, int limit) = 0;

  // A value every node of the database shares (the generated JWT secret): the one stored under `name`,
  // or `value_if_missing`, stored now when there was none.
  virtual Result<std::string> shared_value(std::string_view name, std::string_view value_if_missing) = 0;

  // Calls `handlers` with what any node of a shared database announces (this one's own changes too),
  // until they are replaced by the next call: once watch({}) returns, none runs any more. A store no
  // other node shares announces nothing.
  virtual void watch(ChangeHandlers handlers) = 0;

  // Returns once every write submitted before the call (record_outcomes included) has committed.
  virtual Status flush() = 0;

  // Whether the database answers (health): a trivial query through the writer, which no slow read can
  // hold up. Never blocks; `done` runs on a thread of the store's and must be quick.
  virtual void ping(std::function<void(Status)> done) = 0;
  // Whether this node may take traffic (readiness): the database answers, as for ping; and on a shared
  // database this node renewed its leases within their lifetime, so that what it claims is its own.
  // Never blocks; `done` runs on a thread of the store's and must be quick.
  virtual void readiness(std::function<void(Status)> done) = 0;
  // The queue's size and the disabled endpoints, counted now (a scan of the queue's index: call it at
  // a scrape's pace, not per request). Blocks on a read.
  virtual Result<StoreGauges> gauges(TimePoint now) = 0;
};

}  // namespace hookd::store

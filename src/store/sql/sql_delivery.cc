// The delivery queue in the SQL store: recording outcomes, claiming due work, manual tasks.
#include "core/ids.h"
#include "store/sql/columns.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace hookd::store::sql {
namespace {

using core::ErrorCode;

constexpr const char* kInsertAttempt =
    "INSERT INTO attempt (id, org_id, app_id, msg_id, endpoint_id, url, response, response_status_code,"
    " response_duration_ms, status, trigger_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12)";
constexpr const char* kUpdateDestination =
    "UPDATE destination SET status = ?3, attempts = ?4, next_attempt_at = ?5, claimed = ?6, updated_at = ?7"
    " WHERE msg_id = ?1 AND endpoint_id = ?2";
constexpr const char* kDueForEndpoint =
    "SELECT d.msg_id, d.attempts, d.next_attempt_at, m.app_id, m.org_id, m.event_type, c.payload, m.hops,"
    " m.created_at"
    " FROM destination d JOIN message m ON m.id = d.msg_id LEFT JOIN message_content c ON c.msg_id = d.msg_id"
    " WHERE d.endpoint_id = ?1 AND d.status = 1 AND d.claimed = 0 AND d.next_attempt_at <= ?2"
    " ORDER BY d.next_attempt_at LIMIT ?3";
constexpr const char* kOldestForEndpoint =
    "SELECT d.msg_id, d.attempts, d.next_attempt_at, m.app_id, m.org_id, m.event_type, c.payload, m.hops,"
    " m.created_at"
    " FROM destination d JOIN message m ON m.id = d.msg_id LEFT JOIN message_content c ON c.msg_id = d.msg_id"
    " WHERE d.endpoint_id = ?1 AND d.status = 1 AND d.claimed = 0"
    " ORDER BY d.msg_id LIMIT ?3";
constexpr const char* kClaim = "UPDATE destination SET claimed = 1 WHERE msg_id = ?1 AND endpoint_id = ?2";
constexpr const char* kNextDue =
    "SELECT min(next_attempt_at) FROM destination WHERE endpoint_id = ?1 AND status = 1 AND claimed = 0";
constexpr const char* kManualSuccess =
    "UPDATE destination SET status = 0, next_attempt_at = NULL, updated_at = ?3 WHERE msg_id = ?1 AND endpoint_id = ?2";
// The endpoint's application, if the endpoint has pending deliveries: queued, or claimed (by a node
// that may be gone, whose claims a lease taken over gives back).
constexpr const char* kAppWithPendingWork =
    "SELECT e.app_id FROM endpoint e WHERE e.id = ?1 AND " HOOKD_ENDPOINT_HAS_PENDING_WORK;
constexpr const char* kManualTask =
    "SELECT d.msg_id, d.attempts, d.next_attempt_at, m.app_id, m.org_id, m.event_type, c.payload, m.hops,"
    " m.created_at"
    " FROM destination d JOIN message m ON m.id = d.msg_id LEFT JOIN message_content c ON c.msg_id = d.msg_id"
    " WHERE d.msg_id = ?1 AND d.endpoint_id = ?2 AND m.app_id = ?3";
// ?1 endpoint, ?2 app, ?3 the id floor of `since`, ?4 of `until` (or NULL), ?5 now.
constexpr const char* kRequeueFailed =
    "UPDATE destination SET status = 1, next_attempt_at = ?5, claimed = 0, updated_at = ?5"
    " WHERE endpoint_id = ?1 AND status = 2 AND msg_id >= ?3 AND msg_id < coalesce(?4, '~')"
    " AND EXISTS (SELECT 1 FROM endpoint e WHERE e.id = ?1 AND e.app_id = ?2)";

// ?1 now: due, later, and for a disabled endpoint. The queue's index is scanned (it holds only pending,
// unclaimed rows).
constexpr const char* kQueueSize =
    "SELECT coalesce(sum(CASE WHEN x.id IS NULL AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?1)"
    " THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN x.id IS NULL AND d.next_attempt_at > ?1 THEN 1 ELSE 0 END), 0),"
    " coalesce(sum(CASE WHEN x.id IS NULL THEN 0 ELSE 1 END), 0)"
    " FROM destination d LEFT JOIN (SELECT id FROM endpoint WHERE disabled = 1) x ON x.id = d.endpoint_id"
    " WHERE d.status = 1 AND d.claimed = 0";
constexpr const char* kDisabledEndpoints = "SELECT count(*) FROM endpoint WHERE disabled = 1 AND deleted = 0";

// Reads a task from the columns of kDueForEndpoint (and its siblings).
DeliveryTask read_task(const Statement& row, std::string_view endpoint_id, TriggerType trigger) {
  DeliveryTask task;
  task.msg_id = row.text(0);
  task.endpoint_id = std::string(endpoint_id);
  task.attempts = row.integer(1);
  task.due = time_at(row.optional_int64(2).value_or(0));
  task.app_id = row.text(3);
  task.org_id = row.text(4);
  task.event_type = row.text(5);
  // A payload expunged or expired since is delivered as an empty object rather than not at all.
  task.payload = std::make_shared<const std::string>(row.optional_text(6).value_or("{}"));
  task.trigger = trigger;
  task.hops = row.integer(7);
  task.accepted_at = time_at(row.int64(8));
  return task;
}

}  // namespace

void SqlStore::record_outcomes(std::vector<DeliveryOutcome> outcomes) {
  writes_->submit([outcomes = std::move(outcomes)](Connection& db) -> WriteQueue::Outcome {
    const auto now = micros(core::SystemClock::instance().now());
    for (const DeliveryOutcome& outcome : outcomes) {
      if (const auto& attempt = outcome.attempt) {
        auto statement = db.prepare(kInsertAttempt);
        statement->bind(1, attempt->id).bind(2, attempt->org_id).bind(3, attempt->app_id).bind(4, attempt->msg_id);
        statement->bind(5, attempt->endpoint_id).bind(6, attempt->url).bind(7, attempt->response);
        statement->bind(8, attempt->response_status_code).bind(9, attempt->response_duration_ms);
        statement->bind(10, static_cast<int>(attempt->status)).bind(11, static_cast<int>(attempt->trigger));
        statement->bind(12, micros(attempt->created_at));
        statement->step();
      }
      if (outcome.manual_success) {
        auto statement = db.prepare(kManualSuccess);
        statement->bind(1, outcome.msg_id).bind(2, outcome.endpoint_id).bind(3, now);
        statement->step();
      }
      if (const auto& update = outcome.destination) {
        auto statement = db.prepare(kUpdateDestination);
        statement->bind(1, outcome.msg_id).bind(2, outcome.endpoint_id).bind(3, static_cast<int>(update->status));
        statement->bind(4, update->attempts).bind(5, micros(update->next_attempt_at)).bind(6, update->claimed);
        statement->bind(7, now);
        statement->step();
      }
    }
    return {};
  });
}

Result<StoreGauges> SqlStore::gauges(TimePoint now) {
  StoreGauges gauges;
  auto db = reader();
  {
    auto statement = db->prepare(kQueueSize);
    statement->bind(1, micros(now));
    if (!statement->step()) return fail(db->error("counting the queue"));
    gauges.queued = statement->int64(0);
    gauges.scheduled = statement->int64(1);
    gauges.parked = statement->int64(2);
  }
  {
    auto statement = db->prepare(kDisabledEndpoints);
    if (!statement->step()) return fail(db->error("counting disabled endpoints"));
    gauges.endpoints_disabled = statement->int64(0);
  }
  if (settings_.shared) {
    std::lock_guard lock(leases_mutex_);
    std::int64_t held = 0;
    for (const auto& [app_id, lease] : leases_) held += lease.mine && lease.expires > now ? 1 : 0;
    gauges.leases_held = held;
  }
  return gauges;
}

Result<ClaimedWork> SqlStore::claim_due(std::string_view endpoint_id, TimePoint now, int limit) {
  return claim(kDueForEndpoint, endpoint_id, now, limit);
}

Result<ClaimedWork> SqlStore::claim_in_order(std::string_view endpoint_id, int limit) {
  return claim(kOldestForEndpoint, endpoint_id, TimePoint{}, limit);
}

Result<ClaimedWork> SqlStore::claim(const char* select, std::string_view endpoint_id, TimePoint now, int limit) {
  return writes_->run<ClaimedWork>([&](Connection& db) -> Result<ClaimedWork> {
    ClaimedWork work;
    if (settings_.shared) {
      // Only the node holding the application's lease claims its deliveries; and a lease is taken only
      // for work (an endpoint changed elsewhere makes every node look).
      auto app = db.prepare(kAppWithPendingWork);
      app->bind(1, endpoint_id);
      if (!app->step()) {
        if (app->failed()) return fail(db.error("finding the application of an endpoint"));
        return work;
      }
      if (!hold_lease(db, app->text(0), core::SystemClock::instance().now())) return work;
    }
    std::vector<DeliveryTask>& tasks = work.tasks;
    {
      auto statement = db.prepare(select);
      statement->bind(1, endpoint_id).bind(2, micros(now)).bind(3, limit);
      while (statement->step()) tasks.push_back(read_task(*statement, endpoint_id, TriggerType::scheduled));
      if (statement->failed()) return fail(db.error("reading due deliveries"));
    }
    for (const DeliveryTask& task : tasks) {
      auto statement = db.prepare(kClaim);
      statement->bind(1, task.msg_id).bind(2, task.endpoint_id);
      statement->step();
      if (statement->failed()) return fail(db.error("claiming a delivery"));
    }
    auto next = db.prepare(kNextDue);
    next->bind(1, endpoint_id);
    if (next->step() && !next->is_null(0)) work.next_due = time_at(next->int64(0));
    if (next->failed()) return fail(db.error("finding when the next delivery is due"));
    return work;
  });
}

Result<DeliveryTask> SqlStore::manual_task(std::string_view app_id, std::string_view msg_id,
                                           std::string_view endpoint_id) {
  auto db = reader();
  auto statement = db->prepare(kManualTask);
  statement->bind(1, msg_id).bind(2, endpoint_id).bind(3, app_id);
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("reading a delivery"));
    return core::error(ErrorCode::not_found, "the message was not sent to this endpoint");
  }
  return read_task(*statement, endpoint_id, TriggerType::manual);
}

Result<int> SqlStore::requeue_failed(std::string_view app_id, std::string_view endpoint_id, TimePoint since,
                                     std::optional<TimePoint> until, TimePoint now) {
  return writes_->run<int>([&](Connection& db) -> Result<int> {
    auto statement = db.prepare(kRequeueFailed);
    statement->bind(1, endpoint_id).bind(2, app_id).bind(3, core::id_floor("msg_", since));
    if (until) statement->bind(4, core::id_floor("msg_", *until));
    statement->bind(5, micros(now));
    statement->step();
    if (statement->failed()) return fail(db.error("putting failed deliveries back in the queue"));
    const auto requeued = static_cast<int>(db.changes());
    if (requeued > 0) db.announce("work:" + std::string(endpoint_id));
    return requeued;
  });
}

}  // namespace hookd::store::sql

// Messages, attempts and destinations in the SQL store.
//
// Lists bound ids with plain comparisons against coalesce()d parameters ("id < coalesce(?, '~')") rather
// than "(? IS NULL OR id < ?)", so that SQLite walks the index range instead of scanning.
#include <algorithm>

#include "core/ids.h"
#include "store/sql/columns.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace hookd::store::sql {
namespace {

using core::ErrorCode;

constexpr const char* kInsertMessage =
    "INSERT INTO message (id, org_id, app_id, event_type, event_id, channels, created_at, payload_expires_at, hops)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kInsertContent = "INSERT INTO message_content (msg_id, payload, expires_at) VALUES (?1, ?2, ?3)";
constexpr const char* kInsertDestination =
    "INSERT INTO destination (msg_id, endpoint_id, status, attempts, next_attempt_at, claimed, updated_at)"
    " VALUES (?1, ?2, 1, 0, ?3, ?4, ?3)";
constexpr const char* kGetMessage = "SELECT " HOOKD_MESSAGE_COLUMNS
                                    " FROM message m LEFT JOIN message_content c ON c.msg_id = m.id"
                                    " WHERE m.app_id = ?1 AND (m.id = ?2 OR m.event_id = ?2) ORDER BY m.id = ?2 DESC"
                                    " LIMIT 1";
constexpr const char* kExpungeContent =
    "DELETE FROM message_content WHERE msg_id = (SELECT id FROM message WHERE app_id = ?1 AND id = ?2)";

// ?1 app, ?2 iterator, ?3 before (id floor), ?4 after (id floor), ?5 channel, ?6 event types (JSON array).
#define HOOKD_MESSAGE_FILTER                                                                                   \
  " AND m.id < coalesce(?3, '~') AND m.id >= coalesce(?4, '')"                                                 \
  " AND (CAST(?5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = ?5))" \
  " AND (CAST(?6 AS TEXT) IS NULL OR m.event_type IN (SELECT value FROM json_each(?6)))"
constexpr const char* kListMessagesDown =
    "SELECT " HOOKD_MESSAGE_COLUMNS
    " FROM message m LEFT JOIN message_content c ON c.msg_id = m.id"
    " WHERE m.app_id = ?1 AND m.id < coalesce(?2, '~')" HOOKD_MESSAGE_FILTER " ORDER BY m.id DESC LIMIT ?7";
constexpr const char* kListMessagesUp =
    "SELECT " HOOKD_MESSAGE_COLUMNS
    " FROM message m LEFT JOIN message_content c ON c.msg_id = m.id"
    " WHERE m.app_id = ?1 AND m.id > coalesce(?2, '')" HOOKD_MESSAGE_FILTER " ORDER BY m.id ASC LIMIT ?7";

// ?1 app, ?2 the message or endpoint, ?3 iterator, ?4 before, ?5 after, ?6 status, ?7 status code class,
// ?8 channel, ?9 event types, ?10 limit, ?11 endpoint (when listing by message).
#define HOOKD_ATTEMPT_FILTER                                                                                   \
  " AND x.app_id = ?1 AND x.id < coalesce(?4, '~') AND x.id >= coalesce(?5, '')"                               \
  " AND (CAST(?6 AS BIGINT) IS NULL OR x.status = ?6)"                                                         \
  " AND (CAST(?7 AS BIGINT) IS NULL OR x.response_status_code / 100 * 100 = ?7)"                               \
  " AND (CAST(?8 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = ?8))" \
  " AND (CAST(?9 AS TEXT) IS NULL OR m.event_type IN (SELECT value FROM json_each(?9)))"                       \
  " AND (CAST(?11 AS TEXT) IS NULL OR x.endpoint_id = ?11)"
#define HOOKD_ATTEMPT_SELECT "SELECT " HOOKD_ATTEMPT_COLUMNS " FROM attempt x JOIN message m ON m.id = x.msg_id"
constexpr const char* kAttemptsByMessageDown = HOOKD_ATTEMPT_SELECT
    " WHERE x.msg_id = ?2 AND x.id < coalesce(?3, '~')" HOOKD_ATTEMPT_FILTER " ORDER BY x.id DESC LIMIT ?10";
constexpr const char* kAttemptsByMessageUp = HOOKD_ATTEMPT_SELECT
    " WHERE x.msg_id = ?2 AND x.id > coalesce(?3, '')" HOOKD_ATTEMPT_FILTER " ORDER BY x.id ASC LIMIT ?10";
constexpr const char* kAttemptsByEndpointDown = HOOKD_ATTEMPT_SELECT
    " WHERE x.endpoint_id = ?2 AND x.id < coalesce(?3, '~')" HOOKD_ATTEMPT_FILTER " ORDER BY x.id DESC LIMIT ?10";
constexpr const char* kAttemptsByEndpointUp = HOOKD_ATTEMPT_SELECT
    " WHERE x.endpoint_id = ?2 AND x.id > coalesce(?3, '')" HOOKD_ATTEMPT_FILTER " ORDER BY x.id ASC LIMIT ?10";
constexpr const char* kGetAttempt = HOOKD_ATTEMPT_SELECT " WHERE x.id = ?3 AND x.msg_id = ?2 AND x.app_id = ?1";
constexpr const char* kExpungeAttempt =
    "UPDATE attempt SET response = '' WHERE id = ?3 AND msg_id = ?2 AND app_id = ?1";

// ?1 endpoint, ?2 app, ?3 iterator, ?4 before, ?5 after, ?6 status, ?7 channel, ?8 event types, ?9 limit.
#define HOOKD_ENDPOINT_MESSAGE_SELECT                                                                    \
  "SELECT " HOOKD_MESSAGE_COLUMNS ", " HOOKD_DESTINATION_COLUMNS                                         \
  " FROM destination d JOIN message m ON m.id = d.msg_id LEFT JOIN message_content c ON c.msg_id = m.id" \
  " WHERE d.endpoint_id = ?1 AND m.app_id = ?2"
#define HOOKD_ENDPOINT_MESSAGE_FILTER                                                                          \
  " AND d.msg_id < coalesce(?4, '~') AND d.msg_id >= coalesce(?5, '')"                                         \
  " AND (CAST(?6 AS BIGINT) IS NULL OR d.status = ?6)"                                                         \
  " AND (CAST(?7 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = ?7))" \
  " AND (CAST(?8 AS TEXT) IS NULL OR m.event_type IN (SELECT value FROM json_each(?8)))"
constexpr const char* kEndpointMessagesDown = HOOKD_ENDPOINT_MESSAGE_SELECT
    " AND d.msg_id < coalesce(?3, '~')" HOOKD_ENDPOINT_MESSAGE_FILTER " ORDER BY d.msg_id DESC LIMIT ?9";
constexpr const char* kEndpointMessagesUp = HOOKD_ENDPOINT_MESSAGE_SELECT
    " AND d.msg_id > coalesce(?3, '')" HOOKD_ENDPOINT_MESSAGE_FILTER " ORDER BY d.msg_id ASC LIMIT ?9";

// ?1 message, ?2 app, ?3 iterator (an endpoint id), ?4 limit.
#define HOOKD_MESSAGE_DESTINATION_SELECT                          \
  "SELECT " HOOKD_ENDPOINT_COLUMNS ", " HOOKD_DESTINATION_COLUMNS \
  " FROM destination d JOIN endpoint e ON e.id = d.endpoint_id WHERE d.msg_id = ?1 AND e.app_id = ?2"
constexpr const char* kMessageDestinationsDown =
    HOOKD_MESSAGE_DESTINATION_SELECT " AND d.endpoint_id < coalesce(?3, '~') ORDER BY d.endpoint_id DESC LIMIT ?4";
constexpr const char* kMessageDestinationsUp =
    HOOKD_MESSAGE_DESTINATION_SELECT " AND d.endpoint_id > coalesce(?3, '') ORDER BY d.endpoint_id ASC LIMIT ?4";

std::optional<std::string> json_list(const std::optional<std::vector<std::string>>& list) { return encode_list(list); }

bool shares_any(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string& x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

}  // namespace

Result<CreatedMessage> SqlStore::create_message(NewMessage input) {
  return message_writer().run<CreatedMessage>([&](Connection& db) { return insert_message(db, input); });
}

void SqlStore::create_message_async(NewMessage input, std::function<void(Result<CreatedMessage>)> done) {
  message_writer().submit<CreatedMessage>(
      [this, input = std::move(input)](Connection& db) { return insert_message(db, input); }, std::move(done));
}

Result<CreatedMessage> SqlStore::insert_message(Connection& db, const NewMessage& input) {
  const Message& message = input.message;
  {
    auto statement = db.prepare(kInsertMessage);
    statement->bind(1, message.id).bind(2, message.org_id).bind(3, message.app_id).bind(4, message.event_type);
    statement->bind(5, message.event_id).bind(6, encode_list(message.channels)).bind(7, micros(message.created_at));
    statement->bind(8, micros(message.payload_expires_at)).bind(9, message.hops);
    statement->step();
    if (statement->failed()) {
      if (db.last_was_constraint_violation()) {
        return core::error(ErrorCode::conflict, "a message with eventId '" + message.event_id.value_or("") +
                                                    "' already exists in this application");
      }
      return fail(db.error("inserting a message"));
    }
  }
  {
    auto statement = db.prepare(kInsertContent);
    statement->bind(1, message.id).bind_blob(2, message.payload.value_or("{}"));
    statement->bind(3, micros(message.payload_expires_at));
    statement->step();
    if (statement->failed()) return fail(db.error("inserting a payload"));
  }

  CreatedMessage created{message, {}, {}};
  auto payload = std::make_shared<const std::string>(message.payload.value_or("{}"));
  // This node claims the deliveries when it holds the application's lease; else its holder (or whoever
  // takes it) is told. Taking a lease over gives back the former holder's claims: look for them too.
  bool took_over = false;
  const bool leased = input.claim && hold_lease(db, message.app_id, message.created_at, &took_over);
  const auto routes_of_app = routes(db, message.app_id);
  if (!routes_of_app) return fail(routes_of_app.error());
  const Routes& app_routes = **routes_of_app;
  if (took_over) {
    for (const Route& route : app_routes) created.queued.push_back(route.endpoint_id);
  }
  for (const Route& route : app_routes) {
    if (input.only_endpoint && route.endpoint_id != *input.only_endpoint) continue;
    if (!input.only_endpoint && route.event_types &&
        std::find(route.event_types->begin(), route.event_types->end(), message.event_type) ==
            route.event_types->end()) {
      continue;
    }
    if (!input.only_endpoint && route.channels &&
        (!message.channels || !shares_any(*route.channels, *message.channels)))
      continue;
    const bool claim =
        leased && !route.fifo && !(input.leave_queued && input.leave_queued->contains(route.endpoint_id));
    auto statement = db.prepare(kInsertDestination);
    statement->bind(1, message.id).bind(2, route.endpoint_id).bind(3, micros(message.created_at));
    statement->bind(4, claim);
    statement->step();
    if (statement->failed()) return fail(db.error("inserting a destination"));
    if (!claim) {
      if (leased && !took_over) created.queued.push_back(route.endpoint_id);
      if (!leased) db.announce("work:" + route.endpoint_id);
      continue;
    }
    created.tasks.push_back(DeliveryTask{message.id, route.endpoint_id, message.app_id, message.org_id,
                                         message.event_type, payload, 0, TriggerType::scheduled, message.created_at,
                                         nullptr, message.hops, message.created_at});
  }
  return created;
}

Result<Message> SqlStore::get_message(std::string_view app_id, std::string_view msg) {
  auto db = reader();
  auto statement = db->prepare(kGetMessage);
  statement->bind(1, app_id).bind(2, msg);
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("reading a message"));
    return core::error(ErrorCode::not_found, "message not found");
  }
  return read_message(*statement);
}

Result<Page<Message>> SqlStore::list_messages(std::string_view app_id, const PageQuery& page,
                                              const MessageFilter& filter) {
  const Walk walk = walk_of(page);
  auto db = reader();
  auto statement = db->prepare(walk.up ? kListMessagesUp : kListMessagesDown);
  statement->bind(1, app_id).bind(2, walk.after);
  if (filter.before) statement->bind(3, core::id_floor("msg_", *filter.before));
  if (filter.after) statement->bind(4, core::id_floor("msg_", *filter.after));
  statement->bind(5, filter.channel).bind(6, json_list(filter.event_types)).bind(7, page.limit + 1);
  auto result = read_page<Message>(*statement, page.limit, walk.backwards,
                                   [](const Statement& row) { return read_message(row); });
  if (statement->failed()) return fail(db->error("listing messages"));
  return result;
}

Status SqlStore::expunge_message_content(std::string_view app_id, std::string_view msg_id) {
  return writes_->run<void>([&](Connection& db) -> Status {
    auto statement = db.prepare(kExpungeContent);
    statement->bind(1, app_id).bind(2, msg_id);
    statement->step();
    if (statement->failed()) return fail(db.error("expunging a payload"));
    return {};
  });
}

Result<Page<Attempt>> SqlStore::list_attempts(std::string_view app_id, const PageQuery& page,
                                              const AttemptFilter& filter) {
  const Walk walk = walk_of(page);
  const bool by_message = filter.msg_id.has_value();
  const char* sql = by_message ? (walk.up ? kAttemptsByMessageUp : kAttemptsByMessageDown)
                               : (walk.up ? kAttemptsByEndpointUp : kAttemptsByEndpointDown);
  auto db = reader();
  auto statement = db->prepare(sql);
  statement->bind(1, app_id).bind(2, by_message ? *filter.msg_id : filter.endpoint_id.value_or("")).bind(3, walk.after);
  if (filter.before) statement->bind(4, core::id_floor("atmpt_", *filter.before));
  if (filter.after) statement->bind(5, core::id_floor("atmpt_", *filter.after));
  if (filter.status) statement->bind(6, static_cast<int>(*filter.status));
  statement->bind(7, filter.status_code_class).bind(8, filter.channel).bind(9, json_list(filter.event_types));
  statement->bind(10, page.limit + 1);
  if (by_message) statement->bind(11, filter.endpoint_id);
  auto result = read_page<Attempt>(*statement, page.limit, walk.backwards,
                                   [](const Statement& row) { return read_attempt(row); });
  if (statement->failed()) return fail(db->error("listing attempts"));
  return result;
}

Result<Attempt> SqlStore::get_attempt(std::string_view app_id, std::string_view msg_id, std::string_view attempt_id) {
  auto db = reader();
  auto statement = db->prepare(kGetAttempt);
  statement->bind(1, app_id).bind(2, msg_id).bind(3, attempt_id);
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("reading an attempt"));
    return core::error(ErrorCode::not_found, "attempt not found");
  }
  return read_attempt(*statement);
}

Status SqlStore::expunge_attempt_content(std::string_view app_id, std::string_view msg_id,
                                         std::string_view attempt_id) {
  return writes_->run<void>([&](Connection& db) -> Status {
    auto statement = db.prepare(kExpungeAttempt);
    statement->bind(1, app_id).bind(2, msg_id).bind(3, attempt_id);
    statement->step();
    if (statement->failed()) return fail(db.error("expunging an attempt"));
    if (db.changes() == 0) return core::error(ErrorCode::not_found, "attempt not found");
    return {};
  });
}

Result<Page<EndpointMessage>> SqlStore::list_endpoint_messages(std::string_view app_id, std::string_view endpoint_id,
                                                               const PageQuery& page, const MessageFilter& filter) {
  const Walk walk = walk_of(page);
  auto db = reader();
  auto statement = db->prepare(walk.up ? kEndpointMessagesUp : kEndpointMessagesDown);
  statement->bind(1, endpoint_id).bind(2, app_id).bind(3, walk.after);
  if (filter.before) statement->bind(4, core::id_floor("msg_", *filter.before));
  if (filter.after) statement->bind(5, core::id_floor("msg_", *filter.after));
  if (filter.status) statement->bind(6, static_cast<int>(*filter.status));
  statement->bind(7, filter.channel).bind(8, json_list(filter.event_types)).bind(9, page.limit + 1);
  auto result = read_page<EndpointMessage>(*statement, page.limit, walk.backwards, [](const Statement& row) {
    return EndpointMessage{read_message(row), read_destination(row, kMessageColumnCount)};
  });
  if (statement->failed()) return fail(db->error("listing attempted messages"));
  return result;
}

Result<Page<MessageDestination>> SqlStore::list_message_destinations(std::string_view app_id, std::string_view msg_id,
                                                                     const PageQuery& page) {
  const Walk walk = walk_of(page);
  auto db = reader();
  auto statement = db->prepare(walk.up ? kMessageDestinationsUp : kMessageDestinationsDown);
  statement->bind(1, msg_id).bind(2, app_id).bind(3, walk.after).bind(4, page.limit + 1);
  auto result = read_page<MessageDestination>(*statement, page.limit, walk.backwards, [](const Statement& row) {
    return MessageDestination{read_endpoint(row), read_destination(row, kEndpointColumnCount)};
  });
  if (statement->failed()) return fail(db->error("listing destinations"));
  return result;
}

}  // namespace hookd::store::sql

// SQL column lists and the functions that read them back into records. Internal to the SQL store.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "store/model.h"
#include "store/sql/connection.h"

namespace hookd::store::sql {

// Column lists, as macros so that they concatenate into SQL string constants.
#define HOOKD_APP_COLUMNS "a.id, a.org_id, a.uid, a.name, a.throttle_rate, a.metadata, a.created_at, a.updated_at"
#define HOOKD_EVENT_TYPE_COLUMNS \
  "t.org_id, t.name, t.description, t.archived, t.deprecated, t.schemas, t.feature_flag, t.created_at, t.updated_at"
#define HOOKD_ENDPOINT_COLUMNS                                                                                     \
  "e.id, e.org_id, e.app_id, e.uid, e.url, e.description, e.version, e.throttle_rate, e.disabled, e.event_types, " \
  "e.channels, e.headers, e.metadata, e.keys, e.created_at, e.updated_at, e.retry_schedule, "                      \
  "e.fifo, e.failing_since"
#define HOOKD_MESSAGE_COLUMNS \
  "m.id, m.org_id, m.app_id, m.event_type, m.event_id, m.channels, m.created_at, m.payload_expires_at, c.payload"
#define HOOKD_DESTINATION_COLUMNS "d.msg_id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at, d.updated_at"
#define HOOKD_ATTEMPT_COLUMNS                                                                      \
  "x.id, x.org_id, x.app_id, x.msg_id, x.endpoint_id, x.url, x.response, x.response_status_code, " \
  "x.response_duration_ms, x.status, x.trigger_type, x.created_at"

// Whether endpoint `e` has pending deliveries, queued (destination_due) or claimed
// (destination_claimed_by_endpoint): two index probes, never its delivered history.
#define HOOKD_ENDPOINT_HAS_PENDING_WORK                                                                 \
  "(EXISTS (SELECT 1 FROM destination d WHERE d.endpoint_id = e.id AND d.status = 1 AND d.claimed = 0)" \
  " OR EXISTS (SELECT 1 FROM destination d WHERE d.endpoint_id = e.id AND d.claimed = 1 AND d.status = 1))"

inline constexpr int kAppColumnCount = 8;
inline constexpr int kEventTypeColumnCount = 9;
inline constexpr int kEndpointColumnCount = 19;
inline constexpr int kMessageColumnCount = 9;
inline constexpr int kDestinationColumnCount = 6;
inline constexpr int kAttemptColumnCount = 12;

// Each reads the columns of its list starting at `first`.
Application read_application(const Statement& row, int first = 0);
EventType read_event_type(const Statement& row, int first = 0);
Endpoint read_endpoint(const Statement& row, int first = 0);
Message read_message(const Statement& row, int first = 0);
Destination read_destination(const Statement& row, int first = 0);
Attempt read_attempt(const Statement& row, int first = 0);

// A page holds about this many bytes of payloads, bodies and responses at most, whatever its limit: a
// list of large messages comes in more, smaller pages (done = false), so that one request (250 payloads
// of 1 MiB) cannot make the server hold hundreds of MiB. A page always holds at least one item.
inline constexpr std::size_t kMaxPageBytes = 4 << 20;

// The bytes of an item that count against kMaxPageBytes: those of what it carries from outside.
inline std::size_t carried_bytes(const Message& message) { return message.payload ? message.payload->size() : 0; }
inline std::size_t carried_bytes(const EndpointMessage& item) { return carried_bytes(item.message); }
inline std::size_t carried_bytes(const Attempt& attempt) { return attempt.response.size(); }
inline std::size_t carried_bytes(const InboundRequest& request) {
  std::size_t bytes = request.body.size();
  for (const auto& [name, value] : request.headers) bytes += name.size() + value.size();
  return bytes;
}
template <class T>
std::size_t carried_bytes(const T&) {
  return 0;
}

// Reads up to `limit` rows (the statement asked for limit + 1, to know whether more remain) into a page,
// stopping early past kMaxPageBytes.
template <class T, class Read>
Page<T> read_page(Statement& statement, int limit, bool backwards, Read&& read) {
  Page<T> page;
  page.backwards = backwards;
  std::size_t bytes = 0;
  while (statement.step()) {
    if (static_cast<int>(page.items.size()) == limit || bytes >= kMaxPageBytes) {
      page.done = false;
      break;
    }
    page.items.push_back(read(statement));
    bytes += carried_bytes(page.items.back());
  }
  if (backwards) std::reverse(page.items.begin(), page.items.end());
  return page;
}

// How a PageQuery walks: the iterator without its '-', and whether the SQL should go up (ascending ids).
struct Walk {
  std::optional<std::string> after;  // the iterator, if any
  bool up = false;                   // ORDER BY id ASC with id > after; else DESC with id < after
  bool backwards = false;            // the result must be reversed to the query's order
};
Walk walk_of(const PageQuery& page);

// A page of what `owner` has: `up` and `down` are the query in its two orders, taking the owner (?1),
// the iterator (?2) and limit + 1 (?3); `what` names the list in errors.
template <class T, class Read>
core::Result<Page<T>> read_owned_page(Connection& db, const char* up, const char* down, std::string_view owner,
                                      const PageQuery& page, Read&& read, std::string_view what) {
  const Walk walk = walk_of(page);
  auto statement = db.prepare(walk.up ? up : down);
  statement->bind(1, owner).bind(2, walk.after).bind(3, page.limit + 1);
  auto result = read_page<T>(*statement, page.limit, walk.backwards, std::forward<Read>(read));
  if (statement->failed()) return fail(db.error("listing " + std::string(what)));
  return result;
}

}  // namespace hookd::store::sql

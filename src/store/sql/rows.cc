#include "store/sql/rows.h"

#include "store/sql/columns.h"

namespace hookd::store::sql {

Application read_application(const Statement& row, int first) {
  Application app;
  app.id = row.text(first);
  app.org_id = row.text(first + 1);
  app.uid = row.optional_text(first + 2);
  app.name = row.text(first + 3);
  if (!row.is_null(first + 4)) app.throttle_rate = row.integer(first + 4);
  app.metadata = decode_map(row.text(first + 5));
  app.created_at = time_at(row.int64(first + 6));
  app.updated_at = time_at(row.int64(first + 7));
  return app;
}

EventType read_event_type(const Statement& row, int first) {
  EventType type;
  type.org_id = row.text(first);
  type.name = row.text(first + 1);
  type.description = row.text(first + 2);
  type.archived = row.int64(first + 3) != 0;
  type.deprecated = row.int64(first + 4) != 0;
  type.schemas = row.optional_text(first + 5);
  type.feature_flag = row.optional_text(first + 6);
  type.created_at = time_at(row.int64(first + 7));
  type.updated_at = time_at(row.int64(first + 8));
  return type;
}

Endpoint read_endpoint(const Statement& row, int first) {
  Endpoint endpoint;
  endpoint.id = row.text(first);
  endpoint.org_id = row.text(first + 1);
  endpoint.app_id = row.text(first + 2);
  endpoint.uid = row.optional_text(first + 3);
  endpoint.url = row.text(first + 4);
  endpoint.description = row.text(first + 5);
  endpoint.version = row.integer(first + 6);
  if (!row.is_null(first + 7)) endpoint.throttle_rate = row.integer(first + 7);
  endpoint.disabled = row.int64(first + 8) != 0;
  endpoint.event_types = decode_list(row.optional_text(first + 9));
  endpoint.channels = decode_list(row.optional_text(first + 10));
  endpoint.headers = decode_map(row.text(first + 11));
  endpoint.metadata = decode_map(row.text(first + 12));
  endpoint.keys = decode_keys(row.text(first + 13));
  endpoint.created_at = time_at(row.int64(first + 14));
  endpoint.updated_at = time_at(row.int64(first + 15));
  endpoint.retry_schedule = decode_int_list(row.optional_text(first + 16));
  endpoint.fifo = row.int64(first + 17) != 0;
  if (auto since = row.optional_int64(first + 18)) endpoint.failing_since = time_at(*since);
  return endpoint;
}

Message read_message(const Statement& row, int first) {
  Message message;
  message.id = row.text(first);
  message.org_id = row.text(first + 1);
  message.app_id = row.text(first + 2);
  message.event_type = row.text(first + 3);
  message.event_id = row.optional_text(first + 4);
  message.channels = decode_list(row.optional_text(first + 5));
  message.created_at = time_at(row.int64(first + 6));
  message.payload_expires_at = time_at(row.int64(first + 7));
  message.payload = row.optional_text(first + 8);
  return message;
}

Destination read_destination(const Statement& row, int first) {
  Destination destination;
  destination.msg_id = row.text(first);
  destination.endpoint_id = row.text(first + 1);
  destination.status = static_cast<MessageStatus>(row.integer(first + 2));
  destination.attempts = row.integer(first + 3);
  destination.next_attempt_at = time_at(row.optional_int64(first + 4));
  destination.updated_at = time_at(row.int64(first + 5));
  return destination;
}

Attempt read_attempt(const Statement& row, int first) {
  Attempt attempt;
  attempt.id = row.text(first);
  attempt.org_id = row.text(first + 1);
  attempt.app_id = row.text(first + 2);
  attempt.msg_id = row.text(first + 3);
  attempt.endpoint_id = row.text(first + 4);
  attempt.url = row.text(first + 5);
  attempt.response = row.text(first + 6);
  attempt.response_status_code = row.integer(first + 7);
  attempt.response_duration_ms = row.int64(first + 8);
  attempt.status = static_cast<MessageStatus>(row.integer(first + 9));
  attempt.trigger = static_cast<TriggerType>(row.integer(first + 10));
  attempt.created_at = time_at(row.int64(first + 11));
  return attempt;
}

Walk walk_of(const PageQuery& page) {
  Walk walk;
  walk.up = page.ascending;
  if (page.iterator) {
    std::string iterator = *page.iterator;
    if (!iterator.empty() && iterator.front() == '-') {
      iterator.erase(0, 1);
      walk.backwards = true;
      walk.up = !walk.up;
    }
    if (!iterator.empty()) walk.after = std::move(iterator);
  }
  return walk;
}

}  // namespace hookd::store::sql

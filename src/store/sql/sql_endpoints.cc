// Endpoints in the SQL store, and the routes (enabled endpoints and their filters) that message
// fan-out matches against.
#include <algorithm>

#include "core/ids.h"
#include "store/sql/columns.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace hookd::store::sql {
namespace {

using core::ErrorCode;

constexpr const char* kGetEndpoint = "SELECT " HOOKD_ENDPOINT_COLUMNS
                                     " FROM endpoint e WHERE e.app_id = ?1 AND e.deleted = 0"
                                     " AND (e.id = ?2 OR e.uid = ?2) ORDER BY e.id = ?2 DESC LIMIT 1";
constexpr const char* kFindEndpoint = "SELECT " HOOKD_ENDPOINT_COLUMNS ", e.deleted FROM endpoint e WHERE e.id = ?1";
constexpr const char* kListEndpointsDown = "SELECT " HOOKD_ENDPOINT_COLUMNS
                                           " FROM endpoint e WHERE e.app_id = ?1 AND e.deleted = 0"
                                           " AND (CAST(?2 AS TEXT) IS NULL OR e.id < ?2) ORDER BY e.id DESC LIMIT ?3";
constexpr const char* kListEndpointsUp = "SELECT " HOOKD_ENDPOINT_COLUMNS
                                         " FROM endpoint e WHERE e.app_id = ?1 AND e.deleted = 0"
                                         " AND (CAST(?2 AS TEXT) IS NULL OR e.id > ?2) ORDER BY e.id ASC LIMIT ?3";
constexpr const char* kInsertEndpoint =
    "INSERT INTO endpoint (id, org_id, app_id, uid, url, description, version, throttle_rate, disabled, event_types,"
    " channels, headers, metadata, keys, created_at, updated_at, retry_schedule, fifo, failing_since)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
constexpr const char* kUpdateEndpoint =
    "UPDATE endpoint SET uid = ?4, url = ?5, description = ?6, version = ?7, throttle_rate = ?8, disabled = ?9,"
    " event_types = ?10, channels = ?11, headers = ?12, metadata = ?13, keys = ?14, updated_at = ?16,"
    " retry_schedule = ?17, fifo = ?18, failing_since = ?19"
    " WHERE id = ?1 AND org_id = ?2 AND app_id = ?3";
constexpr const char* kDeleteEndpoint = "UPDATE endpoint SET deleted = 1, uid = NULL WHERE id = ?1";
constexpr const char* kEventTypeExists = "SELECT 1 FROM event_type WHERE org_id = ?1 AND name = ?2 AND archived = 0";
constexpr const char* kRoutes =
    "SELECT id, event_types, channels, fifo FROM endpoint WHERE app_id = ?1 AND deleted = 0 AND disabled = 0";
constexpr const char* kStats =
    "SELECT d.status, count(*) FROM destination d JOIN message m ON m.id = d.msg_id"
    " WHERE d.endpoint_id = ?1 AND m.app_id = ?2 AND (CAST(?3 AS TEXT) IS NULL OR d.msg_id >= ?3) AND (CAST(?4 AS "
    "TEXT) IS NULL OR d.msg_id < ?4)"
    " GROUP BY d.status";

hookd::Failure<core::Error> endpoint_not_found() { return core::error(ErrorCode::not_found, "endpoint not found"); }

// The endpoint of the app (by id or uid) in organization `org`, none when there is none; the database's
// error when it could not tell.
Result<std::optional<Endpoint>> find_in_app(Connection& db, std::string_view org, std::string_view app_id,
                                            std::string_view endpoint) {
  auto statement = db.prepare(kGetEndpoint);
  statement->bind(1, app_id).bind(2, endpoint);
  if (statement->step()) {
    Endpoint found = read_endpoint(*statement);
    if (found.org_id != org) return std::optional<Endpoint>();
    return std::optional(std::move(found));
  }
  if (statement->failed()) return fail(db.error("reading an endpoint"));
  return std::optional<Endpoint>();
}

// The event types an endpoint filters on must exist in its organization (and not be archived).
Status check_event_types(Connection& db, const Endpoint& endpoint) {
  if (!endpoint.event_types) return {};
  std::vector<std::string> missing;
  for (const std::string& name : *endpoint.event_types) {
    auto statement = db.prepare(kEventTypeExists);
    statement->bind(1, endpoint.org_id).bind(2, name);
    if (!statement->step()) {
      if (statement->failed()) return fail(db.error("reading an event type"));
      missing.push_back(name);
    }
  }
  if (missing.empty()) return {};
  std::string names;
  for (const auto& name : missing) names += (names.empty() ? "" : ", ") + name;
  return core::invalid({"body", "filterTypes"}, "event types do not exist: " + names);
}

Status write_endpoint(Connection& db, const Endpoint& endpoint, bool insert) {
  if (auto checked = check_event_types(db, endpoint); !checked) return checked;
  auto statement = db.prepare(insert ? kInsertEndpoint : kUpdateEndpoint);
  statement->bind(1, endpoint.id).bind(2, endpoint.org_id).bind(3, endpoint.app_id).bind(4, endpoint.uid);
  statement->bind(5, endpoint.url).bind(6, endpoint.description).bind(7, endpoint.version);
  statement->bind(8, endpoint.throttle_rate).bind(9, endpoint.disabled).bind(10, encode_list(endpoint.event_types));
  statement->bind(11, encode_list(endpoint.channels)).bind(12, encode_map(endpoint.headers));
  statement->bind(13, encode_map(endpoint.metadata)).bind(14, encode_keys(endpoint.keys));
  statement->bind(15, micros(endpoint.created_at)).bind(16, micros(endpoint.updated_at));
  statement->bind(17, encode_int_list(endpoint.retry_schedule)).bind(18, endpoint.fifo);
  if (endpoint.failing_since) statement->bind(19, micros(*endpoint.failing_since));
  statement->step();
  if (statement->failed()) {
    if (db.last_was_constraint_violation()) {
      return core::error(ErrorCode::conflict,
                         "an endpoint with uid '" + endpoint.uid.value_or("") + "' already exists");
    }
    return fail(db.error("writing an endpoint"));
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const SqlStore::Routes>> SqlStore::routes(Connection& db, const std::string& app_id) {
  // Other nodes change endpoints too: on a shared database, they are read for each message.
  if (!settings_.shared) {
    std::lock_guard lock(routes_mutex_);
    if (auto it = routes_.find(app_id); it != routes_.end()) return it->second;
  }
  auto loaded = std::make_shared<Routes>();
  auto statement = db.prepare(kRoutes);
  statement->bind(1, app_id);
  while (statement->step()) {
    loaded->push_back(Route{statement->text(0), decode_list(statement->optional_text(1)),
                            decode_list(statement->optional_text(2)), statement->int64(3) != 0});
  }
  // A message routed on part of the list would lose the deliveries of the rest.
  if (statement->failed()) return fail(db.error("reading an application's endpoints"));
  if (!settings_.shared) {
    std::lock_guard lock(routes_mutex_);
    if (routes_.size() > 10000) routes_.clear();  // a bound on memory; the cache refills on demand
    routes_[app_id] = loaded;
  }
  return std::shared_ptr<const Routes>(std::move(loaded));
}

Result<Endpoint> SqlStore::create_endpoint(Endpoint endpoint) {
  return writes_->run<Endpoint>([&](Connection& db) -> Result<Endpoint> {
    if (auto written = write_endpoint(db, endpoint, true); !written) return fail(std::move(written).error());
    forget_routes(endpoint.app_id);
    db.announce("endpoint:" + endpoint.id);
    return endpoint;
  });
}

Result<Endpoint> SqlStore::get_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) {
  auto db = reader();
  auto found = find_in_app(*db, org, app_id, endpoint);
  if (!found) return fail(std::move(found).error());
  if (!*found) return endpoint_not_found();
  return std::move(**found);
}

Result<Endpoint> SqlStore::find_endpoint(std::string_view endpoint_id) {
  auto db = reader();
  auto statement = db->prepare(kFindEndpoint);
  statement->bind(1, endpoint_id);
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("reading an endpoint"));
    return endpoint_not_found();
  }
  Endpoint endpoint = read_endpoint(*statement);
  if (statement->int64(kEndpointColumnCount) != 0) return core::error(ErrorCode::not_found, "endpoint was deleted");
  return endpoint;
}

Result<Page<Endpoint>> SqlStore::list_endpoints(std::string_view org, std::string_view app_id, const PageQuery& page) {
  auto db = reader();
  auto result = read_owned_page<Endpoint>(
      *db, kListEndpointsUp, kListEndpointsDown, app_id, page, [](const Statement& row) { return read_endpoint(row); },
      "endpoints");
  if (result) std::erase_if(result->items, [&](const Endpoint& endpoint) { return endpoint.org_id != org; });
  return result;
}

Result<Saved<Endpoint>> SqlStore::update_endpoint(std::string_view org, std::string_view app_id,
                                                  std::string_view endpoint, const Change<Endpoint>& change,
                                                  std::optional<Endpoint> create) {
  return writes_->run<Saved<Endpoint>>([&](Connection& db) -> Result<Saved<Endpoint>> {
    if (auto locked = lock_configuration(db, org); !locked) return fail(std::move(locked).error());
    auto lookup = find_in_app(db, org, app_id, endpoint);
    if (!lookup) return fail(std::move(lookup).error());
    auto& found = *lookup;
    Saved<Endpoint> saved;
    if (!found) {
      if (!create) return endpoint_not_found();
      if (auto written = write_endpoint(db, *create, true); !written) return fail(std::move(written).error());
      saved = {std::move(*create), true};
    } else {
      if (auto changed = change(*found); !changed) return fail(std::move(changed).error());
      if (auto written = write_endpoint(db, *found, false); !written) return fail(std::move(written).error());
      saved = {std::move(*found), false};
    }
    forget_routes(saved.value.app_id);
    db.announce("endpoint:" + saved.value.id);
    return saved;
  });
}

Status SqlStore::delete_endpoint(std::string_view org, std::string_view app_id, std::string_view endpoint) {
  return writes_->run<void>([&](Connection& db) -> Status {
    auto lookup = find_in_app(db, org, app_id, endpoint);
    if (!lookup) return fail(std::move(lookup).error());
    const auto& found = *lookup;
    if (!found) return endpoint_not_found();
    auto statement = db.prepare(kDeleteEndpoint);
    statement->bind(1, found->id);
    statement->step();
    if (statement->failed()) return fail(db.error("deleting an endpoint"));
    forget_routes(found->app_id);
    db.announce("endpoint:" + found->id);
    return {};
  });
}

Result<EndpointStats> SqlStore::endpoint_stats(std::string_view app_id, std::string_view endpoint_id,
                                               std::optional<TimePoint> since, std::optional<TimePoint> until) {
  auto db = reader();
  auto statement = db->prepare(kStats);
  statement->bind(1, endpoint_id).bind(2, app_id);
  if (since) statement->bind(3, core::id_floor("msg_", *since));
  if (until) statement->bind(4, core::id_floor("msg_", *until));
  EndpointStats stats;
  while (statement->step()) {
    const std::int64_t count = statement->int64(1);
    switch (static_cast<MessageStatus>(statement->integer(0))) {
      case MessageStatus::success:
        stats.success = count;
        break;
      case MessageStatus::pending:
        stats.pending = count;
        break;
      case MessageStatus::fail:
        stats.fail = count;
        break;
      case MessageStatus::sending:
        stats.sending = count;
        break;
    }
  }
  if (statement->failed()) return fail(db->error("counting deliveries"));
  return stats;
}

}  // namespace hookd::store::sql

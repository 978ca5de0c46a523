// The SQL store's read pool, applications and event types. Endpoints, messages and the
// delivery queue are in the files beside this one.
#include "store/sql/sql_store.h"

#include "store/sql/columns.h"
#include "store/sql/rows.h"

namespace hookd::store::sql {
namespace {

using core::ErrorCode;

constexpr const char* kGetApp =
    "SELECT " HOOKD_APP_COLUMNS
    " FROM application a WHERE a.org_id = ?1 AND a.deleted = 0 AND (a.id = ?2 OR a.uid = ?2)"
    " ORDER BY a.id = ?2 DESC LIMIT 1";
constexpr const char* kListAppsDown = "SELECT " HOOKD_APP_COLUMNS
                                      " FROM application a WHERE a.org_id = ?1 AND a.deleted = 0"
                                      " AND (CAST(?2 AS TEXT) IS NULL OR a.id < ?2) ORDER BY a.id DESC LIMIT ?3";
constexpr const char* kListAppsUp = "SELECT " HOOKD_APP_COLUMNS
                                    " FROM application a WHERE a.org_id = ?1 AND a.deleted = 0"
                                    " AND (CAST(?2 AS TEXT) IS NULL OR a.id > ?2) ORDER BY a.id ASC LIMIT ?3";
constexpr const char* kInsertApp =
    "INSERT INTO application (id, org_id, uid, name, throttle_rate, metadata, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kUpdateApp =
    "UPDATE application SET uid = ?2, name = ?3, throttle_rate = ?4, metadata = ?5, updated_at = ?6 WHERE id = ?1";
constexpr const char* kDeleteApp = "UPDATE application SET deleted = 1, uid = NULL WHERE id = ?1";
constexpr const char* kDeleteAppEndpoints =
    "UPDATE endpoint SET deleted = 1, uid = NULL WHERE app_id = ?1 AND deleted = 0";

constexpr const char* kGetEventType =
    "SELECT " HOOKD_EVENT_TYPE_COLUMNS " FROM event_type t WHERE t.org_id = ?1 AND t.name = ?2";
constexpr const char* kListEventTypesUp = "SELECT " HOOKD_EVENT_TYPE_COLUMNS
                                          " FROM event_type t WHERE t.org_id = ?1 AND (?2 OR t.archived = 0)"
                                          " AND (CAST(?3 AS TEXT) IS NULL OR t.name > ?3) ORDER BY t.name ASC LIMIT ?4";
constexpr const char* kListEventTypesDown =
    "SELECT " HOOKD_EVENT_TYPE_COLUMNS
    " FROM event_type t WHERE t.org_id = ?1 AND (?2 OR t.archived = 0)"
    " AND (CAST(?3 AS TEXT) IS NULL OR t.name < ?3) ORDER BY t.name DESC LIMIT ?4";
constexpr const char* kInsertEventType =
    "INSERT INTO event_type (org_id, name, description, archived, deprecated, schemas, feature_flag, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kUpdateEventType =
    "UPDATE event_type SET description = ?3, archived = ?4, deprecated = ?5, schemas = ?6, feature_flag = ?7,"
    " updated_at = ?8 WHERE org_id = ?1 AND name = ?2";
constexpr const char* kArchiveEventType =
    "UPDATE event_type SET archived = 1, updated_at = ?3 WHERE org_id = ?1 AND name = ?2";
constexpr const char* kExpungeEventType = "DELETE FROM event_type WHERE org_id = ?1 AND name = ?2";
constexpr const char* kPing = "SELECT 1";
constexpr const char* kKeepSetting = "INSERT INTO setting (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING";
constexpr const char* kGetSetting = "SELECT value FROM setting WHERE name = ?1";

hookd::Failure<core::Error> not_found(std::string_view what) {
  return core::error(ErrorCode::not_found, std::string(what) + " not found");
}

// The app, none when there is none; the database's error when it could not tell.
Result<std::optional<Application>> find_application(Connection& db, std::string_view org, std::string_view app) {
  auto statement = db.prepare(kGetApp);
  statement->bind(1, org).bind(2, app);
  if (statement->step()) return std::optional(read_application(*statement));
  if (statement->failed()) return fail(db.error("reading an application"));
  return std::optional<Application>();
}

// Writes `app` as a new row (insert) or over the existing one.
Status write_application(Connection& db, const Application& app, bool insert) {
  auto statement = db.prepare(insert ? kInsertApp : kUpdateApp);
  if (insert) {
    statement->bind(1, app.id).bind(2, app.org_id).bind(3, app.uid).bind(4, app.name).bind(5, app.throttle_rate);
    statement->bind(6, encode_map(app.metadata)).bind(7, micros(app.created_at)).bind(8, micros(app.updated_at));
  } else {
    statement->bind(1, app.id).bind(2, app.uid).bind(3, app.name).bind(4, app.throttle_rate);
    statement->bind(5, encode_map(app.metadata)).bind(6, micros(app.updated_at));
  }
  statement->step();
  if (statement->failed()) {
    if (db.last_was_constraint_violation()) {
      return core::error(ErrorCode::conflict, "an application with uid '" + app.uid.value_or("") + "' already exists");
    }
    return fail(db.error("writing an application"));
  }
  return {};
}

// The event type, none when there is none; the database's error when it could not tell.
Result<std::optional<EventType>> find_event_type(Connection& db, std::string_view org, std::string_view name) {
  auto statement = db.prepare(kGetEventType);
  statement->bind(1, org).bind(2, name);
  if (statement->step()) return std::optional(read_event_type(*statement));
  if (statement->failed()) return fail(db.error("reading an event type"));
  return std::optional<EventType>();
}

Status write_event_type(Connection& db, const EventType& type, bool insert) {
  auto statement = db.prepare(insert ? kInsertEventType : kUpdateEventType);
  statement->bind(1, type.org_id).bind(2, type.name).bind(3, type.description).bind(4, type.archived);
  statement->bind(5, type.deprecated).bind(6, type.schemas).bind(7, type.feature_flag);
  if (insert) {
    statement->bind(8, micros(type.created_at)).bind(9, micros(type.updated_at));
  } else {
    statement->bind(8, micros(type.updated_at));
  }
  statement->step();
  if (statement->failed()) {
    if (db.last_was_constraint_violation()) {
      return core::error(ErrorCode::conflict, "an event type named '" + type.name + "' already exists");
    }
    return fail(db.error("writing an event type"));
  }
  return {};
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<WriteQueue> writes, std::vector<std::unique_ptr<Connection>> readers,
                   SqlSettings settings, std::unique_ptr<ChangeListener> listener,
                   std::vector<std::unique_ptr<WriteQueue>> message_writers)
    : settings_(std::move(settings)),
      listener_(std::move(listener)),
      writes_(std::move(writes)),
      message_writers_(std::move(message_writers)),
      idle_readers_(std::move(readers)) {
  leases_renewed_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
  if (settings_.shared) keeper_ = std::thread([this] { keep_leases(); });
}

SqlStore::~SqlStore() {
  {
    std::lock_guard lock(keeper_mutex_);
    stopping_ = true;
  }
  keeper_wake_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  listener_.reset();  // its thread stops before what its handlers reach goes
}

SqlStore::Reader SqlStore::reader() {
  std::unique_lock lock(readers_mutex_);
  reader_returned_.wait(lock, [this] { return !idle_readers_.empty(); });
  auto connection = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  return Reader(*this, std::move(connection));
}

SqlStore::Reader::~Reader() {
  if (!connection_) return;
  {
    std::lock_guard lock(store_.readers_mutex_);
    store_.idle_readers_.push_back(std::move(connection_));
  }
  store_.reader_returned_.notify_one();
}

Status SqlStore::flush() {
  // Writes run in submission order, so an empty write committing means every earlier one has.
  for (auto& writer : message_writers_) {
    if (auto flushed = writer->run<void>([](Connection&) -> Status { return {}; }); !flushed) return flushed;
  }
  return writes_->run<void>([](Connection&) -> Status { return {}; });
}

std::uint64_t SqlStore::commit_batches() const {
  std::uint64_t batches = writes_->batches();
  for (const auto& writer : message_writers_) batches += writer->batches();
  return batches;
}

WriteQueue& SqlStore::message_writer() {
  if (message_writers_.empty()) return *writes_;
  return *message_writers_[next_writer_.fetch_add(1, std::memory_order_relaxed) % message_writers_.size()];
}

void SqlStore::ping(std::function<void(Status)> done) {
  writes_->submit<void>(
      [](Connection& db) -> Status {
        auto statement = db.prepare(kPing);
        if (!statement->step()) return fail(db.error("ping"));
        return {};
      },
      std::move(done));
}

Result<std::string> SqlStore::shared_value(std::string_view name, std::string_view value_if_missing) {
  return writes_->run<std::string>([&](Connection& db) -> Result<std::string> {
    {
      auto keep = db.prepare(kKeepSetting);
      keep->bind(1, name).bind(2, value_if_missing);
      keep->step();
      if (keep->failed()) return fail(db.error("keeping a shared value"));
    }
    auto get = db.prepare(kGetSetting);
    get->bind(1, name);
    if (!get->step()) return fail(db.error("reading a shared value"));
    return get->text(0);
  });
}

Result<Application> SqlStore::create_application(Application app) {
  return writes_->run<Application>([&](Connection& db) -> Result<Application> {
    if (auto written = write_application(db, app, true); !written) return fail(std::move(written).error());
    return app;
  });
}

Result<Application> SqlStore::get_application(std::string_view org, std::string_view app) {
  auto db = reader();
  auto found = find_application(*db, org, app);
  if (!found) return fail(std::move(found).error());
  if (!*found) return not_found("application");
  return std::move(**found);
}

Result<Page<Application>> SqlStore::list_applications(std::string_view org, const PageQuery& page) {
  auto db = reader();
  return read_owned_page<Application>(
      *db, kListAppsUp, kListAppsDown, org, page, [](const Statement& row) { return read_application(row); },
      "applications");
}

Result<Saved<Application>> SqlStore::update_application(std::string_view org, std::string_view app,
                                                        const Change<Application>& change,
                                                        std::optional<Application> create) {
  return writes_->run<Saved<Application>>([&](Connection& db) -> Result<Saved<Application>> {
    if (auto locked = lock_configuration(db, org); !locked) return fail(std::move(locked).error());
    auto lookup = find_application(db, org, app);
    if (!lookup) return fail(std::move(lookup).error());
    auto& found = *lookup;
    if (!found) {
      if (!create) return not_found("application");
      if (auto written = write_application(db, *create, true); !written) return fail(std::move(written).error());
      return Saved<Application>{std::move(*create), true};
    }
    if (auto changed = change(*found); !changed) return fail(std::move(changed).error());
    if (auto written = write_application(db, *found, false); !written) return fail(std::move(written).error());
    db.announce("app:" + found->id);
    return Saved<Application>{std::move(*found), false};
  });
}

Status SqlStore::delete_application(std::string_view org, std::string_view app) {
  return writes_->run<void>([&](Connection& db) -> Status {
    auto lookup = find_application(db, org, app);
    if (!lookup) return fail(std::move(lookup).error());
    const auto& found = *lookup;
    if (!found) return not_found("application");
    for (const char* sql : {kDeleteApp, kDeleteAppEndpoints}) {
      auto statement = db.prepare(sql);
      statement->bind(1, found->id);
      statement->step();
      if (statement->failed()) return fail(db.error("deleting an application"));
    }
    db.announce("app:" + found->id);
    return {};
  });
}

Result<EventType> SqlStore::create_event_type(EventType type) {
  return writes_->run<EventType>([&](Connection& db) -> Result<EventType> {
    if (auto written = write_event_type(db, type, true); !written) return fail(std::move(written).error());
    return type;
  });
}

Result<EventType> SqlStore::get_event_type(std::string_view org, std::string_view name) {
  auto db = reader();
  auto found = find_event_type(*db, org, name);
  if (!found) return fail(std::move(found).error());
  if (!*found) return not_found("event type");
  return std::move(**found);
}

Result<Page<EventType>> SqlStore::list_event_types(std::string_view org, const PageQuery& page, bool include_archived) {
  const Walk walk = walk_of(page);
  auto db = reader();
  auto statement = db->prepare(walk.up ? kListEventTypesUp : kListEventTypesDown);
  statement->bind(1, org).bind(2, include_archived).bind(3, walk.after).bind(4, page.limit + 1);
  auto result = read_page<EventType>(*statement, page.limit, walk.backwards,
                                     [](const Statement& row) { return read_event_type(row); });
  if (statement->failed()) return fail(db->error("listing event types"));
  return result;
}

Result<Saved<EventType>> SqlStore::update_event_type(std::string_view org, std::string_view name,
                                                     const Change<EventType>& change, std::optional<EventType> create) {
  return writes_->run<Saved<EventType>>([&](Connection& db) -> Result<Saved<EventType>> {
    if (auto locked = lock_configuration(db, org); !locked) return fail(std::move(locked).error());
    auto lookup = find_event_type(db, org, name);
    if (!lookup) return fail(std::move(lookup).error());
    auto& found = *lookup;
    if (!found) {
      if (!create) return not_found("event type");
      if (auto written = write_event_type(db, *create, true); !written) return fail(std::move(written).error());
      return Saved<EventType>{std::move(*create), true};
    }
    if (auto changed = change(*found); !changed) return fail(std::move(changed).error());
    if (auto written = write_event_type(db, *found, false); !written) return fail(std::move(written).error());
    return Saved<EventType>{std::move(*found), false};
  });
}

Status SqlStore::delete_event_type(std::string_view org, std::string_view name, bool expunge) {
  return writes_->run<void>([&](Connection& db) -> Status {
    auto statement = db.prepare(expunge ? kExpungeEventType : kArchiveEventType);
    statement->bind(1, org).bind(2, name);
    if (!expunge) statement->bind(3, micros(core::SystemClock::instance().now()));
    statement->step();
    if (statement->failed()) return fail(db.error("deleting an event type"));
    if (db.changes() == 0) return not_found("event type");
    return {};
  });
}

}  // namespace hookd::store::sql

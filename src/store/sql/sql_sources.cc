// Inbound sources and the requests they receive, in the SQL store.
#include "core/ids.h"
#include "store/sql/columns.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace hookd::store::sql {
namespace {

using core::ErrorCode;

#define HOOKD_SOURCE_COLUMNS                                                                           \
  "s.id, s.org_id, s.name, s.scheme, s.secrets, s.tolerance_seconds, s.hmac, s.app_id, s.event_type, " \
  "s.dedupe_header, s.dedupe_field, s.dedupe_window_seconds, s.created_at, s.updated_at"
#define HOOKD_INBOUND_COLUMNS \
  "r.id, r.org_id, r.source_id, r.received_at, r.headers, r.body, r.dedupe_key, r.msg_id, r.replay_key"

// ?1 the id or name, ?2 the organization.
constexpr const char* kGetSource = "SELECT " HOOKD_SOURCE_COLUMNS
                                   " FROM source s WHERE s.org_id = ?2 AND (s.id = ?1 OR s.name = ?1)"
                                   " ORDER BY s.id = ?1 DESC LIMIT 1";
// ?1 any source's id, or the name of a source of organization ?2.
constexpr const char* kFindSource = "SELECT " HOOKD_SOURCE_COLUMNS
                                    " FROM source s WHERE s.id = ?1 OR (s.org_id = ?2 AND s.name = ?1)"
                                    " ORDER BY s.id = ?1 DESC LIMIT 1";
constexpr const char* kListSourcesDown = "SELECT " HOOKD_SOURCE_COLUMNS
                                         " FROM source s WHERE s.org_id = ?1 AND s.id < coalesce(?2, '~')"
                                         " ORDER BY s.id DESC LIMIT ?3";
constexpr const char* kListSourcesUp = "SELECT " HOOKD_SOURCE_COLUMNS
                                       " FROM source s WHERE s.org_id = ?1 AND s.id > coalesce(?2, '')"
                                       " ORDER BY s.id ASC LIMIT ?3";
constexpr const char* kInsertSource =
    "INSERT INTO source (id, org_id, name, scheme, secrets, tolerance_seconds, hmac, app_id, event_type,"
    " dedupe_header, dedupe_field, dedupe_window_seconds, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr const char* kUpdateSource =
    "UPDATE source SET name = ?3, scheme = ?4, secrets = ?5, tolerance_seconds = ?6, hmac = ?7, app_id = ?8,"
    " event_type = ?9, dedupe_header = ?10, dedupe_field = ?11, dedupe_window_seconds = ?12, updated_at = ?14"
    " WHERE id = ?1 AND org_id = ?2";
constexpr const char* kDeleteSource = "DELETE FROM source WHERE id = ?1 AND org_id = ?2";

constexpr const char* kFindDuplicate =
    "SELECT id FROM inbound_request WHERE source_id = ?1 AND dedupe_key = ?2 AND received_at >= ?3 LIMIT 1";
constexpr const char* kFindReplay =
    "SELECT id FROM inbound_request WHERE source_id = ?1 AND replay_key = ?2 AND received_at >= ?3 LIMIT 1";
constexpr const char* kInsertInbound =
    "INSERT INTO inbound_request (id, org_id, source_id, received_at, headers, body, dedupe_key, msg_id, replay_key)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kGetInbound =
    "SELECT " HOOKD_INBOUND_COLUMNS " FROM inbound_request r WHERE r.source_id = ?1 AND r.id = ?2";
constexpr const char* kListInboundDown = "SELECT " HOOKD_INBOUND_COLUMNS
                                         " FROM inbound_request r WHERE r.source_id = ?1 AND r.id < coalesce(?2, '~')"
                                         " ORDER BY r.id DESC LIMIT ?3";
constexpr const char* kListInboundUp = "SELECT " HOOKD_INBOUND_COLUMNS
                                       " FROM inbound_request r WHERE r.source_id = ?1 AND r.id > coalesce(?2, '')"
                                       " ORDER BY r.id ASC LIMIT ?3";

hookd::Failure<core::Error> source_not_found() { return core::error(ErrorCode::not_found, "source not found"); }

Source read_source(const Statement& row) {
  Source source;
  source.id = row.text(0);
  source.org_id = row.text(1);
  source.name = row.text(2);
  source.scheme = row.text(3);
  source.secrets = decode_list(row.text(4)).value_or(std::vector<std::string>{});
  if (!row.is_null(5)) source.tolerance_seconds = row.integer(5);
  source.hmac = decode_map(row.text(6));
  source.app_id = row.text(7);
  source.event_type = row.optional_text(8);
  source.dedupe_header = row.optional_text(9);
  source.dedupe_field = row.optional_text(10);
  source.dedupe_window_seconds = row.integer(11);
  source.created_at = time_at(row.int64(12));
  source.updated_at = time_at(row.int64(13));
  return source;
}

InboundRequest read_inbound(const Statement& row) {
  InboundRequest request;
  request.id = row.text(0);
  request.org_id = row.text(1);
  request.source_id = row.text(2);
  request.received_at = time_at(row.int64(3));
  request.headers = decode_pairs(row.text(4));
  request.body = row.text(5);
  request.dedupe_key = row.optional_text(6);
  request.msg_id = row.text(7);
  request.replay_key = row.optional_text(8);
  return request;
}

// The organization's source (by id or name), none when there is none; the database's error when it could
// not tell.
Result<std::optional<Source>> find_in(Connection& db, std::string_view org, std::string_view source) {
  auto statement = db.prepare(kGetSource);
  statement->bind(1, source).bind(2, org);
  if (statement->step()) return std::optional(read_source(*statement));
  if (statement->failed()) return fail(db.error("reading a source"));
  return std::optional<Source>();
}

Status write_source(Connection& db, const Source& source, bool insert) {
  auto statement = db.prepare(insert ? kInsertSource : kUpdateSource);
  statement->bind(1, source.id).bind(2, source.org_id).bind(3, source.name).bind(4, source.scheme);
  statement->bind(5, *encode_list(source.secrets)).bind(6, source.tolerance_seconds).bind(7, encode_map(source.hmac));
  statement->bind(8, source.app_id).bind(9, source.event_type).bind(10, source.dedupe_header);
  statement->bind(11, source.dedupe_field).bind(12, source.dedupe_window_seconds);
  statement->bind(13, micros(source.created_at)).bind(14, micros(source.updated_at));
  statement->step();
  if (statement->failed()) {
    if (db.last_was_constraint_violation()) {
      return core::error(ErrorCode::conflict, "a source named '" + source.name + "' already exists");
    }
    return fail(db.error("writing a source"));
  }
  return {};
}

}  // namespace

Result<Source> SqlStore::create_source(Source source) {
  return writes_->run<Source>([&](Connection& db) -> Result<Source> {
    if (auto written = write_source(db, source, true); !written) return fail(std::move(written).error());
    return source;
  });
}

Result<Source> SqlStore::get_source(std::string_view org, std::string_view source) {
  auto db = reader();
  auto found = find_in(*db, org, source);
  if (!found) return fail(std::move(found).error());
  if (!*found) return source_not_found();
  return std::move(**found);
}

Result<Source> SqlStore::find_source(std::string_view source, std::string_view names_of) {
  auto db = reader();
  auto statement = db->prepare(kFindSource);
  statement->bind(1, source).bind(2, names_of);
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("reading a source"));
    return source_not_found();
  }
  return read_source(*statement);
}

Result<Page<Source>> SqlStore::list_sources(std::string_view org, const PageQuery& page) {
  auto db = reader();
  return read_owned_page<Source>(*db, kListSourcesUp, kListSourcesDown, org, page, read_source, "sources");
}

Result<Saved<Source>> SqlStore::update_source(std::string_view org, std::string_view source,
                                              const Change<Source>& change, std::optional<Source> create) {
  return writes_->run<Saved<Source>>([&](Connection& db) -> Result<Saved<Source>> {
    if (auto locked = lock_configuration(db, org); !locked) return fail(std::move(locked).error());
    auto lookup = find_in(db, org, source);
    if (!lookup) return fail(std::move(lookup).error());
    auto& found = *lookup;
    if (!found) {
      if (!create) return source_not_found();
      if (auto written = write_source(db, *create, true); !written) return fail(std::move(written).error());
      return Saved<Source>{std::move(*create), true};
    }
    if (auto changed = change(*found); !changed) return fail(std::move(changed).error());
    if (auto written = write_source(db, *found, false); !written) return fail(std::move(written).error());
    db.announce("source");
    return Saved<Source>{std::move(*found), false};
  });
}

Status SqlStore::delete_source(std::string_view org, std::string_view source) {
  return writes_->run<void>([&](Connection& db) -> Status {
    auto lookup = find_in(db, org, source);
    if (!lookup) return fail(std::move(lookup).error());
    const auto& found = *lookup;
    if (!found) return source_not_found();
    auto statement = db.prepare(kDeleteSource);
    statement->bind(1, found->id).bind(2, found->org_id);
    statement->step();
    if (statement->failed()) return fail(db.error("deleting a source"));
    db.announce("source");
    return {};
  });
}

void SqlStore::receive_async(NewInbound inbound, std::function<void(Result<Received>)> done) {
  message_writer().submit<Received>(
      [this, inbound = std::move(inbound)](Connection& db) mutable -> Result<Received> {
        InboundRequest& request = inbound.request;
        // By delivery id, then by what the signature covers; either makes a duplicate.
        for (const auto& [key, find] :
             {std::pair{request.dedupe_key, kFindDuplicate}, std::pair{request.replay_key, kFindReplay}}) {
          if (!key) continue;
          // Two nodes receiving the same delivery at once: the second waits for the first, and finds it.
          if (auto locked = db.lock_for_transaction("inbound\n" + request.source_id + "\n" + *key); !locked) {
            return fail(std::move(locked).error());
          }
          auto statement = db.prepare(find);
          statement->bind(1, request.source_id).bind(2, *key).bind(3, micros(inbound.duplicate_since));
          if (statement->step()) return Received{statement->text(0), true, std::nullopt};
          if (statement->failed()) return fail(db.error("looking for a duplicate"));
        }
        Received received{request.id, false, std::nullopt};
        auto created = insert_message(db, inbound.route);
        if (!created) return fail(std::move(created).error());
        request.msg_id = created->message.id;
        received.created = std::move(*created);
        auto statement = db.prepare(kInsertInbound);
        statement->bind(1, request.id).bind(2, request.org_id).bind(3, request.source_id);
        statement->bind(4, micros(request.received_at)).bind(5, encode_pairs(request.headers));
        statement->bind_blob(6, request.body).bind(7, request.dedupe_key).bind(8, request.msg_id);
        statement->bind(9, request.replay_key);
        statement->step();
        if (statement->failed()) return fail(db.error("keeping an inbound request"));
        return received;
      },
      std::move(done));
}

Result<Page<InboundRequest>> SqlStore::list_inbound(std::string_view source_id, const PageQuery& page) {
  auto db = reader();
  return read_owned_page<InboundRequest>(*db, kListInboundUp, kListInboundDown, source_id, page, read_inbound,
                                         "inbound requests");
}

Result<InboundRequest> SqlStore::get_inbound(std::string_view source_id, std::string_view request_id) {
  auto db = reader();
  auto statement = db->prepare(kGetInbound);
  statement->bind(1, source_id).bind(2, request_id);
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("reading an inbound request"));
    return core::error(ErrorCode::not_found, "inbound request not found");
  }
  return read_inbound(*statement);
}

}  // namespace hookd::store::sql

// Retention in the SQL store: purging expired payloads, pruning old messages, and the answers kept
// for idempotency keys.
#include "core/ids.h"
#include "store/sql/columns.h"
#include "store/sql/sql_store.h"

namespace hookd::store::sql {
namespace {

constexpr const char* kPurgeExpired =
    "DELETE FROM message_content WHERE msg_id IN"
    " (SELECT msg_id FROM message_content WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2)";
// Messages created before ?4 after the id ?1, and whether a delivery of each is still pending. Ids hold
// whole seconds: ?2, the id floor of the second after ?4, bounds the walk, and created_at decides.
constexpr const char* kOldMessages =
    "SELECT m.id, EXISTS (SELECT 1 FROM destination d WHERE d.msg_id = m.id AND d.status = 1)"
    " FROM message m WHERE m.id > coalesce(?1, '') AND m.id < ?2 AND m.created_at < ?4 ORDER BY m.id LIMIT ?3";
constexpr const char* kDeleteAttempts = "DELETE FROM attempt WHERE msg_id = ?1";
constexpr const char* kDeleteDestinations = "DELETE FROM destination WHERE msg_id = ?1";
constexpr const char* kDeleteContent = "DELETE FROM message_content WHERE msg_id = ?1";
constexpr const char* kDeleteMessage = "DELETE FROM message WHERE id = ?1";

constexpr const char* kFindAnswer =
    "SELECT status, headers, body, created_at FROM kept_answer WHERE key = ?1 AND created_at >= ?2";
constexpr const char* kKeepAnswer =
    "INSERT INTO kept_answer (key, status, headers, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (key) DO NOTHING";
// A few at a time, so that keeping an answer stays quick.
constexpr const char* kDropOldAnswers =
    "DELETE FROM kept_answer WHERE key IN (SELECT key FROM kept_answer WHERE created_at < ?1 LIMIT 16)";

}  // namespace

Result<std::optional<KeptAnswer>> SqlStore::find_answer(std::string_view key, TimePoint since) {
  auto db = reader();
  auto statement = db->prepare(kFindAnswer);
  statement->bind(1, key).bind(2, micros(since));
  if (!statement->step()) {
    if (statement->failed()) return fail(db->error("finding a kept answer"));
    return std::optional<KeptAnswer>();
  }
  return std::optional<KeptAnswer>(KeptAnswer{statement->integer(0), decode_pairs(statement->text(1)),
                                              statement->text(2), time_at(statement->int64(3))});
}

void SqlStore::keep_answer_async(std::string key, KeptAnswer answer, TimePoint expired,
                                 std::function<void(Status)> done) {
  message_writer().submit<bool>(
      [key = std::move(key), answer = std::move(answer), expired](Connection& db) -> Result<bool> {
        auto keep = db.prepare(kKeepAnswer);
        keep->bind(1, key).bind(2, answer.status).bind(3, encode_pairs(answer.headers)).bind_blob(4, answer.body);
        keep->bind(5, micros(answer.at));
        keep->step();
        if (keep->failed()) return fail(db.error("keeping an answer"));
        auto drop = db.prepare(kDropOldAnswers);
        drop->bind(1, micros(expired));
        drop->step();
        return true;
      },
      [done = std::move(done)](Result<bool> kept) { done(kept ? Status{} : Status(fail(std::move(kept).error()))); });
}

Result<int> SqlStore::purge_expired_payloads(TimePoint now, int limit) {
  return writes_->run<int>([&](Connection& db) -> Result<int> {
    auto statement = db.prepare(kPurgeExpired);
    statement->bind(1, micros(now)).bind(2, limit);
    statement->step();
    if (statement->failed()) return fail(db.error("purging expired payloads"));
    return static_cast<int>(db.changes());
  });
}

Result<PruneBatch> SqlStore::prune_messages(TimePoint before, std::optional<std::string> after, int limit) {
  return writes_->run<PruneBatch>([&](Connection& db) -> Result<PruneBatch> {
    PruneBatch batch;
    std::vector<std::string> doomed;
    int seen = 0;
    {
      auto statement = db.prepare(kOldMessages);
      statement->bind(1, after).bind(2, core::id_floor("msg_", before + std::chrono::seconds(1))).bind(3, limit);
      statement->bind(4, micros(before));
      while (statement->step()) {
        ++seen;
        batch.last = statement->text(0);
        if (statement->int64(1) != 0) {
          ++batch.kept_pending;
        } else {
          doomed.push_back(statement->text(0));
        }
      }
      if (statement->failed()) return fail(db.error("finding old messages"));
    }
    if (seen < limit) batch.last.reset();  // nothing older remains after these
    for (const std::string& id : doomed) {
      bool first = true;  // the attempts: counted
      for (const char* sql : {kDeleteAttempts, kDeleteDestinations, kDeleteContent, kDeleteMessage}) {
        auto statement = db.prepare(sql);
        statement->bind(1, id);
        statement->step();
        if (statement->failed()) return fail(db.error("pruning a message"));
        if (first) batch.attempts += db.changes();
        first = false;
      }
      ++batch.messages;
    }
    return batch;
  });
}

}  // namespace hookd::store::sql

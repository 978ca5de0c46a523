// The SQL store among several nodes: application leases, announcements, and finding queued work.
//
// A node claims deliveries only of the applications it holds a lease on, so that every rule that
// counts deliveries (an endpoint's throttleRate, its concurrency cap, FIFO order, the application's
// throttleRate) is kept by one node at a time. A lease is taken by the first node that has work for the
// application, renewed by it every third of lease_ttl while it lives, and given back when it stops.
// When a node dies, its leases expire; the next node to claim work of the application takes the lease
// over and gives back the dead node's claims, which it then claims itself.
#include "core/ids.h"
#include "store/sql/columns.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"

namespace hookd::store::sql {
namespace {

// ?1 app, ?2 this node, ?3 the new expiry, ?4 now. Returns a row when this node holds the lease.
constexpr const char* kTakeLease =
    "INSERT INTO app_lease (app_id, node_id, expires_at, changed_hands) VALUES (?1, ?2, ?3, 1)"
    " ON CONFLICT (app_id) DO UPDATE SET node_id = ?2, expires_at = ?3,"
    " changed_hands = CASE WHEN app_lease.node_id = ?2 THEN 0 ELSE 1 END"
    " WHERE app_lease.node_id = ?2 OR app_lease.expires_at < ?4 RETURNING changed_hands";
constexpr const char* kLeaseOf = "SELECT node_id, expires_at FROM app_lease WHERE app_id = ?1";
constexpr const char* kGiveBackAppClaims =
    "UPDATE destination SET claimed = 0 WHERE claimed = 1"
    " AND endpoint_id IN (SELECT id FROM endpoint WHERE app_id = ?1)";
// Renews this node's leases of applications with work: pending deliveries in the queue
// (destination_due) or in its memory (claimed: destination_claimed_by_endpoint), and those it claimed
// for since the keeper last ran (?3, a JSON list: claims not yet committed are not seen). The others
// run out, and the next node with work for such an application takes it; a lease per application ever
// served would otherwise be renewed forever.
constexpr const char* kRenewBusyLeases =
    "UPDATE app_lease SET expires_at = ?2 WHERE node_id = ?1 AND (app_id IN (SELECT value FROM json_each(?3))"
    " OR EXISTS (SELECT 1 FROM endpoint e WHERE e.app_id = app_lease.app_id AND " HOOKD_ENDPOINT_HAS_PENDING_WORK "))";
constexpr const char* kOwnLeases = "SELECT app_id, expires_at FROM app_lease WHERE node_id = ?1";
constexpr const char* kGiveBackOwnClaims =
    "UPDATE destination SET claimed = 0 WHERE claimed = 1 AND endpoint_id IN"
    " (SELECT e.id FROM endpoint e JOIN app_lease l ON l.app_id = e.app_id WHERE l.node_id = ?1)";
constexpr const char* kDropOwnLeases = "DELETE FROM app_lease WHERE node_id = ?1";
constexpr const char* kReleaseAll = "UPDATE destination SET claimed = 0 WHERE claimed = 1";
constexpr const char* kDropAllLeases = "DELETE FROM app_lease";

// The endpoints with unclaimed pending work, one index probe each (a loose scan of destination_due):
// a backlog of millions of deliveries to a dead endpoint costs no more to find than one.
#define HOOKD_WAITING_ENDPOINTS                                                                  \
  "WITH RECURSIVE waiting(endpoint_id) AS ("                                                     \
  " SELECT min(endpoint_id) FROM destination WHERE status = 1 AND claimed = 0"                   \
  " UNION ALL SELECT (SELECT min(endpoint_id) FROM destination WHERE status = 1 AND claimed = 0" \
  " AND endpoint_id > w.endpoint_id) FROM waiting w WHERE w.endpoint_id IS NOT NULL)"
#define HOOKD_EARLIEST_DUE                                                                                 \
  "(SELECT min(d.next_attempt_at) FROM destination d WHERE d.endpoint_id = w.endpoint_id AND d.status = 1" \
  " AND d.claimed = 0)"

// Alone on the database: every endpoint with unclaimed pending work, and when the earliest is due.
constexpr const char* kUnclaimedWork = HOOKD_WAITING_ENDPOINTS " SELECT w.endpoint_id, " HOOKD_EARLIEST_DUE
                                                               " FROM waiting w WHERE w.endpoint_id IS NOT NULL";
// Shared (?1 this node, ?2 now): unclaimed work of applications nobody else holds…
constexpr const char* kUnclaimedFreeWork =
    HOOKD_WAITING_ENDPOINTS " SELECT w.endpoint_id, " HOOKD_EARLIEST_DUE
                            " FROM waiting w JOIN endpoint e ON e.id = w.endpoint_id"
                            " LEFT JOIN app_lease l ON l.app_id = e.app_id"
                            " WHERE l.app_id IS NULL OR l.node_id = ?1 OR l.expires_at < ?2";
// …and claims no live lease covers: those of a node that is gone (its lease expired), or made as a node
// gave its leases back. Its unclaimed work is in kUnclaimedFreeWork already. Claims are what nodes hold
// in memory, so this reads few rows (destination_claimed_by_endpoint), however long the queue.
constexpr const char* kStrandedClaims =
    "SELECT d.endpoint_id, min(d.next_attempt_at) FROM destination d JOIN endpoint e ON e.id = d.endpoint_id"
    " LEFT JOIN app_lease l ON l.app_id = e.app_id"
    " WHERE d.claimed = 1 AND d.status = 1 AND (l.app_id IS NULL OR l.expires_at < ?1) GROUP BY d.endpoint_id";

}  // namespace

std::chrono::microseconds SqlStore::ttl() const { return settings_.lease_ttl; }

std::optional<SqlStore::Lease> SqlStore::seen_lease(const std::string& app_id) {
  std::lock_guard lock(leases_mutex_);
  auto it = leases_.find(app_id);
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

void SqlStore::see_lease(const std::string& app_id, std::optional<Lease> lease) {
  std::lock_guard lock(leases_mutex_);
  if (lease) {
    leases_[app_id] = *lease;
  } else {
    leases_.erase(app_id);
  }
}

std::optional<TimePoint> SqlStore::held_elsewhere_until(Connection& db, const std::string& app_id, TimePoint now) {
  auto look = db.prepare(kLeaseOf);
  look->bind(1, app_id);
  if (!look->step() || look->text(0) == settings_.node_id || time_at(look->int64(1)) <= now) return std::nullopt;
  return time_at(look->int64(1));
}

void SqlStore::note_granted(const std::string& app_id) {
  std::lock_guard lock(leases_mutex_);
  granted_.insert(app_id);
}

bool SqlStore::hold_lease(Connection& db, const std::string& app_id, TimePoint now, bool* took_over) {
  if (took_over) *took_over = false;
  if (!settings_.shared) return true;
  if (auto seen = seen_lease(app_id)) {
    // Until half its time has run, a lease this node holds cannot have been taken: no need to ask. And
    // another node's lease holds until it ends (or that node gives it back, which it announces).
    if (seen->mine && seen->expires - now > ttl() / 2) {
      note_granted(app_id);
      return true;
    }
    if (!seen->mine && seen->expires > now) return false;
  }
  {
    // Another node's lease is seen without locking its row: taking or renewing a lease locks it, and
    // nodes that lock each other's rows in their batches could deadlock.
    if (auto until = held_elsewhere_until(db, app_id, now)) {
      see_lease(app_id, Lease{false, *until});
      return false;
    }
  }
  const TimePoint expires = now + settings_.lease_ttl;
  auto take = db.prepare(kTakeLease);
  take->bind(1, app_id).bind(2, settings_.node_id).bind(3, micros(expires)).bind(4, micros(now));
  if (!take->step()) {
    see_lease(app_id, std::nullopt);
    return false;
  }
  const bool changed_hands = take->int64(0) != 0;
  see_lease(app_id, Lease{true, expires});
  note_granted(app_id);
  if (changed_hands) {
    auto give_back = db.prepare(kGiveBackAppClaims);
    give_back->bind(1, app_id);
    give_back->step();
    if (took_over) *took_over = true;
    if (settings_.metrics) settings_.metrics->lease_taken_over();
  }
  return true;
}

void SqlStore::keep_leases() {
  std::unique_lock lock(keeper_mutex_);
  while (!keeper_wake_.wait_for(lock, ttl() / 3, [this] { return stopping_; })) {
    lock.unlock();
    std::vector<std::string> lost;
    (void)writes_->run<void>([this, &lost](Connection& db) -> Status {
      const TimePoint now = core::SystemClock::instance().now();
      std::unordered_set<std::string> granted;
      {
        std::lock_guard leases_lock(leases_mutex_);
        granted.swap(granted_);
      }
      auto renew = db.prepare(kRenewBusyLeases);
      renew->bind(1, settings_.node_id).bind(2, micros(now + settings_.lease_ttl));
      renew->bind(3, encode_list(std::vector<std::string>(granted.begin(), granted.end())));
      renew->step();
      if (renew->failed()) {
        std::lock_guard leases_lock(leases_mutex_);
        granted_.merge(granted);  // renewed at the next run
        return fail(db.error("renewing leases"));
      }
      leases_renewed_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
      // What this node holds, as the database says: a lease taken over by another node while this one
      // stalled is no longer in it.
      std::unordered_map<std::string, Lease> own_leases;
      {
        auto own = db.prepare(kOwnLeases);
        own->bind(1, settings_.node_id);
        while (own->step()) own_leases[own->text(0)] = Lease{true, time_at(own->int64(1))};
      }
      std::vector<std::string> missing;
      {
        std::lock_guard leases_lock(leases_mutex_);
        for (const auto& [app_id, lease] : leases_) {
          if (lease.mine && !own_leases.contains(app_id)) missing.push_back(app_id);
        }
        leases_ = std::move(own_leases);
      }
      // Lost only if another node holds it now. A lease this node is taking in a transaction not yet
      // committed is not in the list read above, and its row may still name the node it is taken from,
      // with a time that has passed.
      for (const auto& app_id : missing) {
        if (held_elsewhere_until(db, app_id, now)) lost.push_back(app_id);
      }
      return {};
    });
    if (!lost.empty()) {
      std::lock_guard handlers_lock(handlers_mutex_);
      for (const auto& app_id : lost) {
        if (handlers_.lease_lost) handlers_.lease_lost(app_id);
      }
    }
    lock.lock();
  }
}

void SqlStore::readiness(std::function<void(Status)> done) {
  if (settings_.shared) {
    const auto renewed =
        std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(leases_renewed_at_.load()));
    // The keeper renews every third of the lifetime: a whole lifetime without renewal means the
    // database refused it long enough for other nodes to take this node's applications.
    if (std::chrono::steady_clock::now() - renewed > settings_.lease_ttl) {
      return done(
          core::error(core::ErrorCode::unavailable, "this node has not renewed its leases for longer than they last"));
    }
  }
  ping(std::move(done));
}

Status SqlStore::release_all_claims() {
  return writes_->run<void>([&](Connection& db) -> Status {
    {
      std::lock_guard lock(leases_mutex_);
      leases_.clear();
    }
    const bool shared = settings_.shared;
    const std::vector<const char*> steps =
        shared ? std::vector{kGiveBackOwnClaims, kDropOwnLeases} : std::vector{kReleaseAll, kDropAllLeases};
    for (const char* sql : steps) {
      auto statement = db.prepare(sql);
      if (shared) statement->bind(1, settings_.node_id);
      statement->step();
      if (statement->failed()) return fail(db.error("releasing claims"));
    }
    // Whatever this node gave back, the others may take now.
    db.announce("rescan");
    return {};
  });
}

Result<std::vector<std::pair<std::string, TimePoint>>> SqlStore::unclaimed_work() {
  auto db = reader();
  std::unordered_map<std::string, TimePoint> earliest;
  const auto now = micros(core::SystemClock::instance().now());
  const std::vector<const char*> queries =
      settings_.shared ? std::vector{kUnclaimedFreeWork, kStrandedClaims} : std::vector{kUnclaimedWork};
  for (const char* sql : queries) {
    auto statement = db->prepare(sql);
    if (sql == kUnclaimedFreeWork) statement->bind(1, settings_.node_id).bind(2, now);
    if (sql == kStrandedClaims) statement->bind(1, now);
    while (statement->step()) {
      const TimePoint due = time_at(statement->optional_int64(1).value_or(now));
      auto [it, inserted] = earliest.emplace(statement->text(0), due);
      if (!inserted) it->second = std::min(it->second, due);
    }
    if (statement->failed()) return fail(db->error("finding queued deliveries"));
  }
  return std::vector<std::pair<std::string, TimePoint>>(earliest.begin(), earliest.end());
}

void SqlStore::watch(ChangeHandlers handlers) {
  if (!listener_) return;
  std::lock_guard lock(handlers_mutex_);
  handlers_ = std::move(handlers);
  if (!listening_) {
    listening_ = true;
    listener_->start([this](const std::string& announcement) { heard(announcement); });
  }
}

void SqlStore::heard(const std::string& announcement) {
  std::lock_guard lock(handlers_mutex_);
  std::size_t start = 0;
  do {
    const std::size_t end = std::min(announcement.find('\n', start), announcement.size());
    const std::string_view line = std::string_view(announcement).substr(start, end - start);
    start = end + 1;
    const auto colon = line.find(':');
    const std::string_view kind = line.substr(0, colon);
    const std::string id(colon == std::string_view::npos ? "" : line.substr(colon + 1));
    if (kind == "work" && handlers_.work) {
      handlers_.work(id);
    } else if (kind == "endpoint" && handlers_.endpoint_changed) {
      handlers_.endpoint_changed(id);
    } else if (kind == "app" && handlers_.application_changed) {
      handlers_.application_changed(id);
    } else if (kind == "source" && handlers_.sources_changed) {
      handlers_.sources_changed();
    } else if (kind == "rescan" || kind.empty()) {  // "": the listener may have missed announcements
      // A node gave its leases back: what this one saw of them is stale.
      {
        std::lock_guard leases_lock(leases_mutex_);
        std::erase_if(leases_, [](const auto& entry) { return !entry.second.mine; });
      }
      if (handlers_.rescan) handlers_.rescan();
    }
  } while (start < announcement.size());
}

}  // namespace hookd::store::sql

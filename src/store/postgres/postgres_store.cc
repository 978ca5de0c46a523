#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <atomic>
#include <thread>

#include "store/postgres/postgres_connection.h"
#include "store/postgres/postgres_schema.h"

namespace hookd::store::postgres {
namespace {

// Hears the announcements of every node on a connection of its own, on a thread of its own.
class PostgresListener final : public sql::ChangeListener {
 public:
  explicit PostgresListener(std::string dsn) : dsn_(std::move(dsn)) {}
  ~PostgresListener() override {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  void start(std::function<void(const std::string&)> heard) override {
    thread_ = std::thread([this, heard = std::move(heard)] {
      std::unique_ptr<PostgresConnection> connection;
      bool missed = false;
      while (!stopping_) {
        if (!connection) {
          auto opened = PostgresConnection::open(dsn_);
          if (!opened) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            continue;
          }
          connection = std::move(*opened);
        }
        if (!connection->listen(std::chrono::milliseconds(200), [&](const std::string& text) { heard(text); })) {
          missed = true;  // the connection broke: announcements made meanwhile are lost
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        if (missed) {
          missed = false;
          heard("");
        }
      }
    });
  }

 private:
  const std::string dsn_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Serializes migrations across the nodes that start at once (an arbitrary key of hookd's).
constexpr const char* kLockMigrations = "SELECT pg_advisory_lock(4242000001)";
constexpr const char* kUnlockMigrations = "SELECT pg_advisory_unlock(4242000001)";

core::Status migrate_locked(PostgresConnection& connection) {
  if (auto locked = connection.exec(kLockMigrations); !locked) return locked;
  auto migrated = sql::migrate(connection, migrations());
  (void)connection.exec(kUnlockMigrations);
  return migrated;
}

}  // namespace

std::string describe(const std::string& dsn) {
  char* problem = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &problem);
  if (options == nullptr) {
    PQfreemem(problem);
    return "(a connection string libpq cannot read)";
  }
  std::string host = "localhost", port = "5432", database, user;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword(option->keyword);
    if (keyword == "host" || keyword == "hostaddr") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") database = option->val;
    if (keyword == "user") user = option->val;
  }
  PQconninfoFree(options);
  std::string out = host + ":" + port + "/" + (database.empty() ? user : database);
  if (!user.empty()) out += " as " + user;
  return out;
}

core::Result<int> migrate(const std::string& dsn) {
  auto connection = PostgresConnection::open(dsn);
  if (!connection) return fail(std::move(connection).error());
  if (auto migrated = migrate_locked(**connection); !migrated) return fail(std::move(migrated).error());
  return sql::schema_version(**connection);
}

core::Result<std::unique_ptr<sql::SqlStore>> open_store(const PostgresOptions& options) {
  auto writer = PostgresConnection::open(options.dsn);
  if (!writer) return fail(std::move(writer).error());
  if (auto migrated = migrate_locked(**writer); !migrated) return fail(std::move(migrated).error());
  std::vector<std::unique_ptr<sql::Connection>> readers;
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto reader = PostgresConnection::open(options.dsn);
    if (!reader) return fail(std::move(reader).error());
    readers.push_back(std::move(*reader));
  }
  std::vector<std::unique_ptr<sql::WriteQueue>> message_writers;
  for (int i = 0; i < options.message_writers; ++i) {
    auto connection = PostgresConnection::open(options.dsn);
    if (!connection) return fail(std::move(connection).error());
    message_writers.push_back(
        std::make_unique<sql::WriteQueue>(std::move(*connection), options.max_batch, options.metrics));
  }
  auto writes = std::make_unique<sql::WriteQueue>(std::move(*writer), options.max_batch, options.metrics);
  return std::make_unique<sql::SqlStore>(std::move(writes), std::move(readers),
                                         sql::SqlSettings{true, options.node_id, options.lease_ttl, options.metrics},
                                         std::make_unique<PostgresListener>(options.dsn), std::move(message_writers));
}

}  // namespace hookd::store::postgres

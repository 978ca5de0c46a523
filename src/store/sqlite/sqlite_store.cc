#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace hookd::store::sqlite {

core::Result<std::unique_ptr<sql::SqlStore>> open_store(const SqliteOptions& options) {
  auto writer = SqliteConnection::open(options.path, false);
  if (!writer) return fail(std::move(writer).error());
  const std::string pragmas = std::string("PRAGMA journal_mode = WAL; PRAGMA synchronous = ") +
                              (options.synchronous_full ? "FULL" : "NORMAL") +
                              "; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;"
                              " PRAGMA wal_autocheckpoint = 4000;";
  if (auto set = (*writer)->exec(pragmas); !set) return fail(std::move(set).error());
  if (auto migrated = sql::migrate(**writer, migrations()); !migrated) return fail(std::move(migrated).error());

  std::vector<std::unique_ptr<sql::Connection>> readers;
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto reader = SqliteConnection::open(options.path, true);
    if (!reader) return fail(std::move(reader).error());
    (void)(*reader)->exec("PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;");
    readers.push_back(std::move(*reader));
  }
  auto writes = std::make_unique<sql::WriteQueue>(std::move(*writer), options.max_batch);
  return std::make_unique<sql::SqlStore>(std::move(writes), std::move(readers));
}

int schema_version() { return migrations().back().version; }

}  // namespace hookd::store::sqlite

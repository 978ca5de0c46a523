#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace hookd::store::sqlite {

namespace {

// The database holds endpoint secrets: its file is created 0600 before SQLite opens it (SQLite would make
// it 0644), so that the -wal and -shm files SQLite makes beside it get the same mode; files an older
// hookd made wider are narrowed.
core::Status make_private(const std::string& path) {
  if (path.empty() || path.starts_with(':') || path.starts_with("file:")) return {};
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return core::error(core::ErrorCode::internal, "cannot open " + path + ": " + std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) == 0 && (status.st_mode & 077) != 0) (void)::fchmod(fd, 0600);
  ::close(fd);
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string beside = path + suffix;
    if (::stat(beside.c_str(), &status) == 0 && (status.st_mode & 077) != 0) (void)::chmod(beside.c_str(), 0600);
  }
  return {};
}

}  // namespace

core::Result<std::unique_ptr<sql::SqlStore>> open_store(const SqliteOptions& options) {
  if (auto made = make_private(options.path); !made) return fail(std::move(made).error());
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
  auto writes = std::make_unique<sql::WriteQueue>(std::move(*writer), options.max_batch, options.metrics);
  return std::make_unique<sql::SqlStore>(std::move(writes), std::move(readers));
}

int schema_version() { return migrations().back().version; }

}  // namespace hookd::store::sqlite

#include "store/sql/write_queue.h"

#include <chrono>
#include <cstdio>
#include <vector>

namespace hookd::store::sql {
namespace {

constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kSavepoint = "SAVEPOINT write";
constexpr const char* kRollbackToSavepoint = "ROLLBACK TO write";
constexpr const char* kReleaseSavepoint = "RELEASE write";
constexpr int kAttempts = 3;

// Runs a cached control statement; true when it succeeded.
bool run_control(Connection& db, const char* sql) {
  auto statement = db.prepare(sql);
  statement->step();
  return !statement->failed();
}

}  // namespace

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch, metrics::Metrics* metrics)
    : connection_(std::move(connection)), max_batch_(max_batch), metrics_(metrics), thread_([this] { loop(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WriteQueue::submit(Write write) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(write));
  }
  wake_.notify_one();
}

std::uint64_t WriteQueue::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

void WriteQueue::loop() {
  std::vector<Write> batch;
  std::vector<std::pair<std::function<void(bool)>, bool>> afters;  // and whether the write stands
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      // Everything that arrived while the previous batch was committing goes into this one.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }

    // If BEGIN fails, each write still runs (so that its caller hears back) but is rolled back.
    Connection& db = *connection_;
    const auto batch_began = std::chrono::steady_clock::now();
    const bool began = run_control(db, db.begin_write());
    for (Write& write : batch) {
      // A statement that failed inside a write may leave the transaction unusable (PostgreSQL aborts it
      // until rolled back, e.g. a deadlock with another node): undo the write and run it again, and
      // after kAttempts, fail it alone.
      Outcome outcome;
      bool stands = false;
      for (int attempt = 0; attempt < kAttempts && !stands; ++attempt) {
        (void)run_control(db, kSavepoint);
        outcome = {};
        try {
          outcome = write(db);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "hookd: a database write threw: %s\n", e.what());
          outcome.keep = false;
        }
        stands = !db.transaction_failed();
        if (!outcome.keep || !began || !stands) (void)run_control(db, kRollbackToSavepoint);
        (void)run_control(db, kReleaseSavepoint);
      }
      afters.emplace_back(std::move(outcome.after), stands);
    }
    const bool committed = began && db.before_commit().ok() && run_control(db, kCommit);
    // Said once when commits start failing (a full disk, a database gone) and once when they work again.
    if (!committed && !failing_) {
      std::fprintf(stderr, "hookd: the database does not commit writes (%s); they are answered as failed\n",
                   db.error("committing").detail.c_str());
    } else if (committed && failing_) {
      std::fprintf(stderr, "hookd: the database commits writes again\n");
    }
    failing_ = !committed;
    if (began && !committed) (void)run_control(db, kRollback);
    if (metrics_) metrics_->store_commit(std::chrono::steady_clock::now() - batch_began, batch.size(), committed);
    for (auto& [after, stands] : afters) {
      if (after) after(committed && stands);
    }
    {
      std::lock_guard lock(mutex_);
      ++batches_;
    }
    batch.clear();
    afters.clear();
  }
}

}  // namespace hookd::store::sql

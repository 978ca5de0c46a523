// Group commit: one thread owns the write connection and runs every write submitted meanwhile in one
// transaction, so that concurrent writers share its fsync. Each write runs inside a savepoint of its
// own, so one that fails (a uid conflict) is undone without disturbing the others.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/error.h"
#include "metrics/metrics.h"
#include "store/sql/connection.h"

namespace hookd::store::sql {

class WriteQueue {
 public:
  // What a write decided: whether to keep its changes, and what to run once its batch has committed
  // (committed = true) or failed to (false). `after` runs on the writer thread; it must be quick.
  struct Outcome {
    bool keep = true;
    std::function<void(bool committed)> after;
  };
  using Write = std::function<Outcome(Connection&)>;

  // `metrics`, when given, hears of each batch (its duration and size) and must outlive the queue.
  WriteQueue(std::unique_ptr<Connection> connection, std::size_t max_batch, metrics::Metrics* metrics = nullptr);
  // Runs the writes already submitted, then stops the thread.
  ~WriteQueue();

  // Queues a write for the next batch. Thread-safe; never blocks on the database.
  void submit(Write write);

  // Runs `body` in the next batch and waits until that batch has committed. Returns what `body`
  // returned (its changes are kept only when it succeeded), or an internal error when the commit failed.
  template <class T>
  core::Result<T> run(std::function<core::Result<T>(Connection&)> body);

  // Runs `body` in the next batch and calls `done` on the writer thread once the batch has committed,
  // with what `body` returned (or an internal error when the commit failed). Never blocks.
  template <class T>
  void submit(std::function<core::Result<T>(Connection&)> body, std::function<void(core::Result<T>)> done);

  // Batches committed so far, and writes in them: for tests and metrics.
  std::uint64_t batches() const;

 private:
  void loop();

  std::unique_ptr<Connection> connection_;
  const std::size_t max_batch_;
  metrics::Metrics* const metrics_;
  bool failing_ = false;  // the last batch did not commit (only the writer thread touches it)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Write> queue_;    // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  std::uint64_t batches_ = 0;  // guarded by mutex_
  std::thread thread_;
};

template <class T>
void WriteQueue::submit(std::function<core::Result<T>(Connection&)> body, std::function<void(core::Result<T>)> done) {
  submit([body = std::move(body), done = std::move(done)](Connection& connection) -> Outcome {
    auto result = std::make_shared<std::optional<core::Result<T>>>();
    try {
      result->emplace(body(connection));
    } catch (const std::exception& e) {
      result->emplace(core::error(core::ErrorCode::internal, std::string("write failed: ") + e.what()));
    }
    const bool keep = (*result)->ok();
    return {keep, [done, result](bool committed) {
              if (!committed && (*result)->ok()) {
                // The disk is full, the server went away, …: nothing was stored, and the caller may try again.
                done(core::error(core::ErrorCode::unavailable, "the database did not commit the write"));
              } else {
                done(std::move(**result));
              }
            }};
  });
}

template <class T>
core::Result<T> WriteQueue::run(std::function<core::Result<T>(Connection&)> body) {
  std::promise<core::Result<T>> promise;
  auto future = promise.get_future();
  submit<T>(std::move(body), [&promise](core::Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace hookd::store::sql

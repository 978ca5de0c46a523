#include "store/sql/connection.h"

namespace hookd::store::sql {

Transaction::Transaction(Connection& connection) : connection_(connection) {
  began_ = connection_.exec(connection_.begin_write()).ok();
}

Transaction::~Transaction() {
  if (began_ && !done_) (void)connection_.exec("ROLLBACK");
}

core::Status Transaction::commit() {
  if (auto announced = connection_.before_commit(); !announced) return announced;  // rolled back when destroyed
  done_ = true;
  return connection_.exec("COMMIT");
}

}  // namespace hookd::store::sql

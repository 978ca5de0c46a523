#include "store/postgres/postgres_connection.h"

#include <gtest/gtest.h>

namespace hookd::store::postgres {
namespace {

TEST(PostgresDialect, NumberedParametersBecomeDollarsOutsideQuotedText) {
  EXPECT_EQ(PostgresConnection::dialect("SELECT a FROM t WHERE b = ?1 AND c < ?12 LIMIT ?3"),
            "SELECT a FROM t WHERE b = $1 AND c < $12 LIMIT $3");
  EXPECT_EQ(PostgresConnection::dialect("SELECT '?1', coalesce(?2, '~?') WHERE x = ?"),
            "SELECT '?1', coalesce($2, '~?') WHERE x = ?");
}

TEST(PostgresConnection, SaysWhyItCannotConnect) {
  auto connection = PostgresConnection::open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().detail.find("cannot connect to PostgreSQL"), std::string::npos);
}

}  // namespace
}  // namespace hookd::store::postgres

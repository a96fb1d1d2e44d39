#include "core/validator/sqlite_internal.h"

#include <gtest/gtest.h>

namespace leea::validator::sqlite {
namespace {

TEST(SqliteError, NamesTheOperationAndSqlitesReason) {
  Error e = error(nullptr, SQLITE_BUSY, "put order demo");
  EXPECT_EQ(e.code, Errc::unavailable);
  EXPECT_EQ(e.message, "store: put order demo: database is locked");
}

TEST(SqliteError, MapsResultCodesToErrorKinds) {
  struct Case {
    int rc;
    Errc code;
  };
  const Case cases[] = {
      {SQLITE_BUSY, Errc::unavailable},     {SQLITE_LOCKED, Errc::unavailable},
      {SQLITE_IOERR_FSYNC, Errc::io},       {SQLITE_FULL, Errc::io},
      {SQLITE_CANTOPEN, Errc::io},          {SQLITE_READONLY, Errc::io},
      {SQLITE_CORRUPT, Errc::invalid_data}, {SQLITE_NOTADB, Errc::invalid_data},
      {SQLITE_ERROR, Errc::internal},       {SQLITE_CONSTRAINT, Errc::internal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(error(nullptr, c.rc, "x").code, c.code) << c.rc;
  }
}

TEST(SqliteStatement, BindsParametersAndReadsColumns) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  DbHandle db(raw);
  auto st = Statement::prepare(db.get(), "SELECT ?1, ?2, length(?3), typeof(?3)", "select");
  ASSERT_TRUE(st) << st.error().message;
  const uint8_t bytes[] = {0, 1, 2};
  st->bind(1, std::string_view("it's; DROP TABLE x")).bind(2, int64_t{-7}).bind_blob(3, bytes);
  auto row = st->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(st->column_text(0), "it's; DROP TABLE x");
  EXPECT_EQ(st->column_int(1), -7);
  EXPECT_EQ(st->column_int(2), 3);
  EXPECT_EQ(st->column_text(3), "blob");
  EXPECT_FALSE(*st->step());
}

TEST(SqliteStatement, ABadBindIsReportedByStep) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  DbHandle db(raw);
  auto st = Statement::prepare(db.get(), "SELECT ?1", "select one");
  ASSERT_TRUE(st);
  st->bind(5, int64_t{1});
  auto row = st->step();
  ASSERT_FALSE(row);
  EXPECT_EQ(row.error().message, "store: select one: column index out of range");
}

TEST(SqliteTransaction, RollsBackUnlessCommitted) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  DbHandle db(raw);
  ASSERT_TRUE(exec(db.get(), "CREATE TABLE t (x INTEGER)", "create"));
  {
    auto tx = Transaction::begin(db.get(), "tx");
    ASSERT_TRUE(tx);
    ASSERT_TRUE(exec(db.get(), "INSERT INTO t VALUES (1)", "insert"));
  }
  {
    auto tx = Transaction::begin(db.get(), "tx");
    ASSERT_TRUE(tx);
    ASSERT_TRUE(exec(db.get(), "INSERT INTO t VALUES (2)", "insert"));
    ASSERT_TRUE(tx->commit());
  }
  auto st = Statement::prepare(db.get(), "SELECT group_concat(x) FROM t", "select");
  ASSERT_TRUE(st && *st->step());
  EXPECT_EQ(st->column_text(0), "2");
}

}  // namespace
}  // namespace leea::validator::sqlite

#include "core/validator/store_schema_internal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace leea::validator {
namespace {

class MemoryDb : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK); }
  void TearDown() override { sqlite3_close(db_); }

  bool has_table(const std::string& name) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1,
                       &st, nullptr);
    sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
  }

  int version() {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT version FROM schema_version", -1, &st, nullptr) !=
        SQLITE_OK) {
      return 0;
    }
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
  }

  sqlite3* db_ = nullptr;
};

const Migration kTwo[] = {{1, "CREATE TABLE t1 (x INTEGER)"}, {2, "CREATE TABLE t2 (x INTEGER)"}};
const Migration kThree[] = {{1, "CREATE TABLE t1 (x INTEGER)"},
                            {2, "CREATE TABLE t2 (x INTEGER)"},
                            {3, "CREATE TABLE t3 (x INTEGER)"}};

TEST_F(MemoryDb, MigrateAppliesEveryMigrationToANewDatabase) {
  auto found = migrate(db_, kTwo, "mem");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, 0);
  EXPECT_TRUE(has_table("t1"));
  EXPECT_TRUE(has_table("t2"));
  EXPECT_EQ(version(), 2);
}

TEST_F(MemoryDb, MigrateAppliesOnlyThePendingMigrations) {
  ASSERT_TRUE(migrate(db_, kTwo, "mem"));
  // Re-running t1's migration would fail ("table t1 already exists"): only 3 may run.
  auto found = migrate(db_, kThree, "mem");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, 2);
  EXPECT_TRUE(has_table("t3"));
  EXPECT_EQ(version(), 3);
  auto again = migrate(db_, kThree, "mem");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 3);
}

TEST_F(MemoryDb, AFailingMigrationChangesNothing) {
  const Migration broken[] = {{1, "CREATE TABLE t1 (x INTEGER)"}, {2, "CREATE TABLE oops ("}};
  auto found = migrate(db_, broken, "mem");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::internal);
  EXPECT_EQ(found.error().message.rfind("store: migrate schema to version 2: ", 0), 0u)
      << found.error().message;
  EXPECT_FALSE(has_table("t1"));
  EXPECT_FALSE(has_table("schema_version"));
}

TEST_F(MemoryDb, MigrateRefusesADatabaseNewerThanItsMigrations) {
  ASSERT_TRUE(migrate(db_, kThree, "mem"));
  auto found = migrate(db_, kTwo, "v.db");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::config);
  EXPECT_EQ(found.error().message,
            "store: v.db: database schema version 3 is newer than this leea supports (2); run a "
            "newer leea");
  EXPECT_EQ(version(), 3);
}

TEST(StoreMigrations, AreNumberedFromOneWithoutGaps) {
  int expected = 1;
  for (const Migration& m : store_migrations()) {
    EXPECT_EQ(m.version, expected++);
  }
  EXPECT_GE(expected, 2);
}

}  // namespace
}  // namespace leea::validator

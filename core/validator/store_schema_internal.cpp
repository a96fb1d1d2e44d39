#include "core/validator/store_schema_internal.h"

#include <string>

#include "core/validator/sqlite_internal.h"

namespace leea::validator {

namespace {

// STRICT tables (SQLite 3.37) refuse values of the wrong type instead of converting them.
// Byte lengths use CAST(... AS BLOB): length() of TEXT counts characters.
constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE orders ("
     "  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),"
     "  order_doc TEXT NOT NULL CHECK (length(CAST(order_doc AS BLOB)) <= 65536),"
     "  manifest TEXT NOT NULL CHECK (length(CAST(manifest AS BLOB)) <= 65536),"
     "  sealed_share BLOB NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL"
     ") STRICT;"
     // signature_hash holds the SHA-256 of the signed request message (the name predates
     // keying replays on content rather than on signature bytes; the column is unchanged).
     "CREATE TABLE operator_requests ("
     "  signature_hash TEXT PRIMARY KEY NOT NULL,"
     "  timestamp INTEGER NOT NULL"
     ") STRICT;"
     "CREATE INDEX operator_requests_by_time ON operator_requests (timestamp);"},
};

constexpr const char* kVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  version INTEGER NOT NULL"
    ") STRICT";

Result<int> read_version(sqlite3* db) {
  LEEA_ASSIGN_OR_RETURN(
      auto stmt, sqlite::Statement::prepare(db, "SELECT version FROM schema_version WHERE id = 1",
                                            "read schema version"));
  LEEA_ASSIGN_OR_RETURN(bool row, stmt.step());
  return row ? static_cast<int>(stmt.column_int(0)) : 0;
}

Result<void> write_version(sqlite3* db, int version) {
  LEEA_ASSIGN_OR_RETURN(auto stmt, sqlite::Statement::prepare(
                                       db,
                                       "INSERT INTO schema_version (id, version) VALUES (1, ?1) "
                                       "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                                       "write schema version"));
  return stmt.bind(1, int64_t{version}).run();
}

}  // namespace

std::span<const Migration> store_migrations() { return kMigrations; }

Result<int> migrate(sqlite3* db, std::span<const Migration> migrations,
                    std::string_view display_name) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  LEEA_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin(db, "migrate schema"));
  LEEA_TRY(sqlite::exec(db, kVersionTable, "create schema_version"));
  LEEA_ASSIGN_OR_RETURN(int found, read_version(db));
  if (found > latest) {
    return make_error(Errc::config, "store: " + std::string(display_name) +
                                        ": database schema version " + std::to_string(found) +
                                        " is newer than this leea supports (" +
                                        std::to_string(latest) + "); run a newer leea");
  }
  if (found == latest) {
    return found;  // nothing to do; the guard rolls back the empty transaction
  }
  for (const Migration& m : migrations) {
    if (m.version > found) {
      LEEA_TRY(sqlite::exec(db, m.sql, "migrate schema to version " + std::to_string(m.version)));
    }
  }
  LEEA_TRY(write_version(db, latest));
  LEEA_TRY(tx.commit());
  return found;
}

}  // namespace leea::validator

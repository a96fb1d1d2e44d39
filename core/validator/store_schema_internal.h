// The store's schema and its migrations, private to core/validator.
//
// The database records its schema version in the one-row table schema_version. Migration i
// takes a database from version i - 1 to i; migrate() applies the pending ones in order inside
// one transaction, so a database is always at one of the versions listed, never between two.
// A database at a version above the newest known one was written by a newer leea and is
// refused rather than read with the wrong assumptions. Not thread-safe: the caller holds the
// connection exclusively.
#pragma once

#include <sqlite3.h>

#include <span>
#include <string_view>

#include "core/util/result.h"

namespace leea::validator {

struct Migration {
  int version;      // the version this migration produces: 1, 2, ... in order
  const char* sql;  // statements without parameters
};

// The store's migrations, oldest first. Never edit a released entry: append a new one.
std::span<const Migration> store_migrations();

// Brings the database up to the last migration's version. Returns the version found before
// migrating (0 for a new database). Fails with Errc::config when the database's version is
// newer than the last migration, naming both versions and display_name; with the SQLite error
// when a statement fails, in which case nothing is changed.
// REQUIRES: migrations are numbered 1, 2, ... in order.
Result<int> migrate(sqlite3* db, std::span<const Migration> migrations,
                    std::string_view display_name);

}  // namespace leea::validator

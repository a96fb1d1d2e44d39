// SQLite helpers private to core/validator: an owned connection, prepared statements with
// bound parameters, a transaction guard, and the one conversion of SQLite result codes into
// leea::Error ("store: put order demo: database is locked").
//
// Nothing here is thread-safe on its own: Store serialises every use of a connection behind
// its mutex. Only core/validator includes this header (and sqlite3.h).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace leea::validator::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// "store: <what>: <sqlite3_errmsg>", of a kind chosen from the result code: busy or locked
// is Errc::unavailable (retry), I/O and permission errors are Errc::io, a corrupt file or one
// that is not a database is Errc::invalid_data, anything else Errc::internal.
Error error(sqlite3* db, int rc, std::string_view what);

// Runs SQL text without parameters (schema changes, pragmas). Rows it returns are ignored.
Result<void> exec(sqlite3* db, const char* sql, std::string_view what);

// A prepared statement. Binding records the first failure, which step() then reports, so
// that a chain of binds needs no checks of its own. Parameter indexes start at 1.
class Statement {
 public:
  // Fails with the SQLite error (prefixed by what) when sql does not compile.
  static Result<Statement> prepare(sqlite3* db, std::string_view sql, std::string_view what);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Text and blobs are copied by SQLite (SQLITE_TRANSIENT): the arguments may die at once.
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::span<const uint8_t> blob);
  Statement& bind(int index, int64_t value);

  // Returns true when a row is ready to read, false when the statement has finished.
  Result<bool> step();
  // Steps to the end, for statements that return no rows.
  Result<void> run();

  // Column readers for the current row. REQUIRES: the last step() returned true.
  std::string column_text(int index) const;
  std::vector<uint8_t> column_blob(int index) const;
  int64_t column_int(int index) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view what);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
  int bind_rc_ = SQLITE_OK;
};

// BEGIN IMMEDIATE (the write lock is taken at once, so a transaction never fails half-way
// for lack of it) ... COMMIT; destroying an uncommitted transaction rolls it back.
class Transaction {
 public:
  static Result<Transaction> begin(sqlite3* db, std::string_view what);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Result<void> commit();

 private:
  Transaction(sqlite3* db, std::string_view what) : db_(db), what_(what) {}

  sqlite3* db_ = nullptr;  // null once committed or rolled back
  std::string what_;
};

}  // namespace leea::validator::sqlite

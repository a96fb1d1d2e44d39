#include "core/validator/sqlite_internal.h"

namespace leea::validator::sqlite {

namespace {

Errc kind_of(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Errc::unavailable;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return Errc::io;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Errc::invalid_data;
    default:
      return Errc::internal;
  }
}

}  // namespace

Error error(sqlite3* db, int rc, std::string_view what) {
  // sqlite3_errmsg describes the connection's last failure; bind and open failures may not
  // have set it, so fall back to the text of the code itself.
  const char* msg =
      db != nullptr && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return make_error(kind_of(rc), "store: " + std::string(what) + ": " + msg);
}

Result<void> exec(sqlite3* db, const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return error(db, rc, what);
  }
  return {};
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view what)
    : db_(db), stmt_(stmt), what_(what) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), what_(std::move(other.what_)), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error(db, rc, what);
  }
  return Statement(db, stmt, what);
}

Statement& Statement::bind(int index, std::string_view text) {
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ =
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const uint8_t> blob) {
  if (bind_rc_ == SQLITE_OK) {
    // A null pointer would bind SQL NULL; an empty blob must stay a blob.
    static const uint8_t kEmpty = 0;
    const void* data = blob.empty() ? &kEmpty : blob.data();
    bind_rc_ = sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (bind_rc_ == SQLITE_OK) {
    bind_rc_ = sqlite3_bind_int64(stmt_, index, value);
  }
  return *this;
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) {
    return error(db_, bind_rc_, what_);
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return error(db_, rc, what_);
}

Result<void> Statement::run() {
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(bool row, step());
    if (!row) {
      return {};
    }
  }
}

std::string Statement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  int n = sqlite3_column_bytes(stmt_, index);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), n);
}

std::vector<uint8_t> Statement::column_blob(int index) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, index));
  int n = sqlite3_column_bytes(stmt_, index);
  return data == nullptr ? std::vector<uint8_t>() : std::vector<uint8_t>(data, data + n);
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

Result<Transaction> Transaction::begin(sqlite3* db, std::string_view what) {
  LEEA_TRY(exec(db, "BEGIN IMMEDIATE", what));
  return Transaction(db, what);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), what_(std::move(other.what_)) {
  other.db_ = nullptr;
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    // Best effort: when ROLLBACK itself fails SQLite has already rolled back.
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<void> Transaction::commit() {
  sqlite3* db = db_;
  Result<void> r = exec(db, "COMMIT", what_);
  if (r) {
    db_ = nullptr;
  }
  return r;
}

}  // namespace leea::validator::sqlite

#include "core/validator/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>

#include "core/config/values.h"
#include "core/crypto/aead.h"
#include "core/util/files.h"
#include "core/util/log.h"
#include "core/validator/sqlite_internal.h"
#include "core/validator/store_schema_internal.h"

namespace leea::validator {

namespace {

using crypto::SecretBytes;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::string_view kShareAadPrefix = "leea order share v1";
constexpr int kBusyTimeoutMs = 5000;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<void> check_id(std::string_view id, std::string_view op) {
  if (!config::is_valid_id(id)) {
    // The id is not echoed: it may hold anything, control characters included.
    return make_error(Errc::invalid_argument,
                      "store: " + std::string(op) +
                          ": order id must be 1 to 64 characters from A-Z a-z 0-9 . _ -");
  }
  return {};
}

Result<void> check_size(std::string_view what, std::string_view field, size_t size, size_t limit) {
  if (size > limit) {
    return make_error(Errc::invalid_argument,
                      "store: " + std::string(what) + ": " + std::string(field) + " is " +
                          std::to_string(size) + " bytes, more than " + std::to_string(limit));
  }
  return {};
}

// The associated data binds a sealed share to its order: moved to another id, it fails.
std::vector<uint8_t> share_aad(std::string_view id) {
  std::string aad = std::string(kShareAadPrefix) + std::string(id);
  return std::vector<uint8_t>(aad.begin(), aad.end());
}

Result<std::vector<uint8_t>> seal_share(const SecretBytes& key, std::string_view id,
                                        const SecretBytes& share) {
  LEEA_ASSIGN_OR_RETURN(crypto::Sealed sealed,
                        crypto::aes_gcm_seal(key, share.reveal(), share_aad(id)));
  return sealed.to_bytes();
}

Result<SecretBytes> open_share(const SecretBytes& key, std::string_view id,
                               std::span<const uint8_t> blob) {
  Error altered = make_error(Errc::refused, "stored share for order " + std::string(id) +
                                                " failed authentication (altered on disk?)");
  auto sealed = crypto::Sealed::from_bytes(blob);
  if (!sealed) {
    return altered;
  }
  auto share = crypto::aes_gcm_open(key, *sealed, share_aad(id));
  if (!share) {
    return share.error().code == Errc::refused ? altered : share.error();
  }
  return share;
}

// SQLite creates files with mode 0644 and gives its -wal and -shm files the mode of the
// database, so the database is created here first, private.
Result<void> create_private_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno_error("store: " + path.string(), errno);
  }
  ::close(fd);
  return {};
}

Result<void> configure(sqlite3* db, const std::string& display) {
  const std::string what = "configure " + display;
  LEEA_ASSIGN_OR_RETURN(auto mode, Statement::prepare(db, "PRAGMA journal_mode=WAL", what));
  LEEA_ASSIGN_OR_RETURN(bool row, mode.step());
  std::string journal = row ? mode.column_text(0) : "";
  if (journal != "wal") {
    return make_error(Errc::io, "store: " + display +
                                    ": cannot use write-ahead logging (journal mode is '" +
                                    journal + "')");
  }
  return sqlite::exec(db,
                      "PRAGMA synchronous=FULL;"
                      "PRAGMA secure_delete=ON;"
                      "PRAGMA foreign_keys=ON;"
                      "PRAGMA trusted_schema=OFF;",
                      what);
}

bool is_lower_hex_sha256(std::string_view s) {
  if (s.size() != 64) {
    return false;
  }
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

struct Store::Impl {
  std::mutex mu;
  sqlite::DbHandle db;
  SecretBytes key;  // immutable after open: read without the mutex
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&& other) noexcept = default;
Store& Store::operator=(Store&& other) noexcept = default;
Store::~Store() = default;

Result<Store> Store::open(const std::filesystem::path& path, SecretBytes sealing_key) {
  const std::string display = path.string();
  if (sealing_key.size() != crypto::kAesGcmKeySize) {
    return make_error(Errc::invalid_argument, "store: " + display + ": the sealing key is " +
                                                  std::to_string(sealing_key.size()) +
                                                  " bytes, not 32");
  }
  if (sqlite3_threadsafe() == 0) {
    return make_error(Errc::internal, "store: SQLite was built without thread support");
  }
  LEEA_TRY(create_private_file(path));
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      display.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  sqlite::DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return sqlite::error(raw, rc, "open " + display);
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  LEEA_TRY(configure(db.get(), display));
  LEEA_TRY(migrate(db.get(), store_migrations(), display));
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  impl->key = std::move(sealing_key);
  return Store(std::move(impl));
}

Result<void> Store::put_order(std::string_view id, std::string_view order_doc,
                              std::string_view manifest, const SecretBytes& share_text) {
  LEEA_TRY(check_id(id, "put order"));
  const std::string what = "put order " + std::string(id);
  LEEA_TRY(check_size(what, "the order document", order_doc.size(), kMaxOrderDocBytes));
  LEEA_TRY(check_size(what, "the manifest", manifest.size(), kMaxManifestBytes));
  LEEA_TRY(check_size(what, "the share", share_text.size(), kMaxStoredShareBytes));
  if (share_text.empty()) {
    return make_error(Errc::invalid_argument, "store: " + what + ": the share is empty");
  }
  LEEA_ASSIGN_OR_RETURN(auto sealed, seal_share(impl_->key, id, share_text));

  std::lock_guard lock(impl_->mu);
  sqlite3* db = impl_->db.get();
  LEEA_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, what));
  {
    LEEA_ASSIGN_OR_RETURN(
        auto stmt,
        Statement::prepare(db,
                           "INSERT INTO orders (id, order_doc, manifest, sealed_share, "
                           "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
                           "ON CONFLICT (id) DO UPDATE SET order_doc = excluded.order_doc, "
                           "manifest = excluded.manifest, sealed_share = excluded.sealed_share, "
                           "updated_at = excluded.updated_at",
                           what));
    LEEA_TRY(stmt.bind(1, id)
                 .bind(2, order_doc)
                 .bind(3, manifest)
                 .bind_blob(4, sealed)
                 .bind(5, unix_now())
                 .run());
  }
  return tx.commit();
}

Result<std::optional<OrderRecord>> Store::get_order(std::string_view id) const {
  LEEA_TRY(check_id(id, "get order"));
  const std::string what = "get order " + std::string(id);
  std::lock_guard lock(impl_->mu);
  LEEA_ASSIGN_OR_RETURN(auto stmt, Statement::prepare(impl_->db.get(),
                                                      "SELECT order_doc, manifest, created_at, "
                                                      "updated_at FROM orders WHERE id = ?1",
                                                      what));
  LEEA_ASSIGN_OR_RETURN(bool row, stmt.bind(1, id).step());
  if (!row) {
    return std::optional<OrderRecord>();
  }
  return std::optional<OrderRecord>(OrderRecord{std::string(id), stmt.column_text(0),
                                                stmt.column_text(1), stmt.column_int(2),
                                                stmt.column_int(3)});
}

Result<SecretBytes> Store::get_share(std::string_view id) const {
  LEEA_TRY(check_id(id, "get share"));
  const std::string what = "get share " + std::string(id);
  std::vector<uint8_t> blob;
  {
    std::lock_guard lock(impl_->mu);
    LEEA_ASSIGN_OR_RETURN(
        auto stmt,
        Statement::prepare(impl_->db.get(), "SELECT sealed_share FROM orders WHERE id = ?1", what));
    LEEA_ASSIGN_OR_RETURN(bool row, stmt.bind(1, id).step());
    if (!row) {
      return make_error(Errc::invalid_argument, "store: " + what + ": no such order");
    }
    blob = stmt.column_blob(0);
  }
  return open_share(impl_->key, id, blob);
}

Result<bool> Store::delete_order(std::string_view id) {
  LEEA_TRY(check_id(id, "delete order"));
  const std::string what = "delete order " + std::string(id);
  std::lock_guard lock(impl_->mu);
  sqlite3* db = impl_->db.get();
  bool existed = false;
  {
    LEEA_ASSIGN_OR_RETURN(auto tx, Transaction::begin(db, what));
    {
      // secure_delete zeroes the freed cell; overwriting the blob first also covers the
      // page images that the write-ahead log keeps.
      LEEA_ASSIGN_OR_RETURN(auto wipe, Statement::prepare(db,
                                                          "UPDATE orders SET sealed_share = "
                                                          "zeroblob(length(sealed_share)) "
                                                          "WHERE id = ?1",
                                                          what));
      LEEA_TRY(wipe.bind(1, id).run());
      existed = sqlite3_changes(db) > 0;
      LEEA_ASSIGN_OR_RETURN(auto del,
                            Statement::prepare(db, "DELETE FROM orders WHERE id = ?1", what));
      LEEA_TRY(del.bind(1, id).run());
    }
    LEEA_TRY(tx.commit());
  }
  if (existed) {
    // The log still holds the page as it was before the wipe until a checkpoint copies the
    // zeroed page into the database and TRUNCATE empties the log. The order is already gone,
    // so a failure here is reported but does not fail the revocation.
    auto cp = Statement::prepare(db, "PRAGMA wal_checkpoint(TRUNCATE)", what);
    auto busy = cp ? cp->step() : Result<bool>(cp.error());
    if (!busy || (*busy && cp->column_int(0) != 0)) {
      log::warn(
          "store: {}: write-ahead log not truncated; it may keep old pages until the next "
          "checkpoint",
          what);
    }
  }
  return existed;
}

Result<std::vector<std::string>> Store::list_orders() const {
  std::lock_guard lock(impl_->mu);
  LEEA_ASSIGN_OR_RETURN(
      auto stmt,
      Statement::prepare(impl_->db.get(), "SELECT id FROM orders ORDER BY id", "list orders"));
  std::vector<std::string> ids;
  for (;;) {
    LEEA_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) {
      return ids;
    }
    ids.push_back(stmt.column_text(0));
  }
}

Result<bool> Store::remember_request(std::string_view request_hash, int64_t timestamp) {
  if (!is_lower_hex_sha256(request_hash)) {
    return make_error(Errc::invalid_argument,
                      "store: remember request: the signature hash must be 64 lowercase hex "
                      "characters");
  }
  std::lock_guard lock(impl_->mu);
  sqlite3* db = impl_->db.get();
  LEEA_ASSIGN_OR_RETURN(auto stmt, Statement::prepare(db,
                                                      "INSERT INTO operator_requests "
                                                      "(signature_hash, timestamp) VALUES (?1, "
                                                      "?2) ON CONFLICT DO NOTHING",
                                                      "remember request"));
  LEEA_TRY(stmt.bind(1, request_hash).bind(2, timestamp).run());
  return sqlite3_changes(db) == 1;
}

Result<int64_t> Store::forget_requests_before(int64_t cutoff) {
  std::lock_guard lock(impl_->mu);
  sqlite3* db = impl_->db.get();
  LEEA_ASSIGN_OR_RETURN(auto stmt,
                        Statement::prepare(db, "DELETE FROM operator_requests WHERE timestamp < ?1",
                                           "forget requests"));
  LEEA_TRY(stmt.bind(1, cutoff).run());
  return int64_t{sqlite3_changes(db)};
}

}  // namespace leea::validator

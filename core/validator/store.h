// Store: the validator's durable state in one SQLite file: the orders it holds, each with its
// share sealed at rest, and the hashes of operator requests already served (replay defence).
//
// open() creates the file (mode 0600) or brings an older schema up to date, applying ordered
// migrations in one transaction, and refuses a database written by a newer leea. The
// connection runs with journal_mode=WAL, synchronous=FULL, secure_delete=ON and
// foreign_keys=ON: once a write returns, it survives the process being killed (and, as far as
// the disk honours fsync, a power loss), and freed pages are overwritten with zeros.
//
// A share is sealed with AES-256-GCM under the validator's sealing key, with associated data
// "leea order share v1" || order id. A sealed share copied to another order, or altered on
// disk, fails authentication when read and is reported, never returned. Neither the share nor
// the sealing key appears in an error message.
//
// Thread-safety: one Store per process is shared by the server's threads. Every method takes
// the store's mutex, so calls from any thread are safe and run one at a time; the connection
// is also opened in SQLite's serialized mode (SQLITE_OPEN_FULLMUTEX) as a second guard. Other
// processes that open the same file wait up to 5 s for its lock, then fail with
// Errc::unavailable ("database is locked").
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::validator {

inline constexpr size_t kMaxOrderDocBytes = size_t{64} << 10;
inline constexpr size_t kMaxManifestBytes = size_t{64} << 10;
inline constexpr size_t kMaxStoredShareBytes = size_t{64} << 10;

// An order as stored, without its share.
struct OrderRecord {
  std::string id;
  std::string order_doc;   // the order as received (JSON or YAML text)
  std::string manifest;    // the operator-signed share manifest (JSON text)
  int64_t created_at = 0;  // Unix seconds of the first put_order of this id
  int64_t updated_at = 0;  // Unix seconds of the latest put_order of this id
};

class Store {
 public:
  // Opens or creates the database at path and takes ownership of the sealing key.
  // Fails with Errc::invalid_argument when the key is not 32 bytes; Errc::config when the
  // database is newer than this code; Errc::invalid_data when the file is not a database or is
  // corrupt; Errc::io when it cannot be created or opened.
  // REQUIRES: path's directory exists. Errors name path, never the key.
  static Result<Store> open(const std::filesystem::path& path, crypto::SecretBytes sealing_key);

  Store(Store&& other) noexcept;
  Store& operator=(Store&& other) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();  // closes the database; a moved-from Store may only be destroyed or assigned

  // Inserts the order, or replaces the order_doc, manifest and share of an existing one (its
  // created_at is kept), in one transaction: readers see the old record or the new, never a
  // mix. Durable when it returns. Fails with Errc::invalid_argument when id is not a valid id
  // (config::is_valid_id) or a field exceeds its kMax*Bytes, or share_text is empty.
  Result<void> put_order(std::string_view id, std::string_view order_doc, std::string_view manifest,
                         const crypto::SecretBytes& share_text);

  // The order without its share, or nullopt when the store holds no order with this id.
  // Fails with Errc::invalid_argument on an invalid id, or with the SQLite error.
  Result<std::optional<OrderRecord>> get_order(std::string_view id) const;

  // The order's share, unsealed into locked memory. Fails with Errc::invalid_argument
  // "store: get share <id>: no such order" when absent, and with Errc::refused "stored share
  // for order <id> failed authentication (altered on disk?)" when the sealed blob was changed,
  // moved from another order or sealed under another key.
  Result<crypto::SecretBytes> get_share(std::string_view id) const;

  // Revokes an order: overwrites its sealed share with zeros, deletes the row (secure_delete
  // zeroes the freed space) and checkpoints the write-ahead log into the main file, truncating
  // it so that older copies of the page leave it too. Returns whether the order existed.
  Result<bool> delete_order(std::string_view id);

  // The ids of every stored order, in ascending byte order.
  Result<std::vector<std::string>> list_orders() const;

  // Records the hash of a signed operator request (of the signed message, never of the
  // signature bytes) whose message carries timestamp (Unix seconds). Returns true when the
  // hash is new, false when it was recorded before: a replay, to be refused. Fails with
  // Errc::invalid_argument unless request_hash is 64 lowercase
  // hex characters. REQUIRES: the caller refuses requests whose timestamp lies outside its
  // replay window before calling, and forgets only hashes older than that window.
  Result<bool> remember_request(std::string_view request_hash, int64_t timestamp);

  // Forgets the hashes recorded with a timestamp before cutoff (now minus the replay window).
  // Returns how many were forgotten.
  Result<int64_t> forget_requests_before(int64_t cutoff);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace leea::validator

// AuditLog: the validator's append-only, hash-chained record of its decisions, one JSON object
// per line, and verify_audit_log(), which finds an edited, removed, reordered or truncated
// record and names its line.
//
// A record holds the event's string fields (by convention time, request_id, endpoint, order,
// node, outcome, check, remote) plus "seq" (1, 2, ...), "prev" (the hash of the record before;
// 64 zeros for the first) and "hash" = hex SHA-256 of prev || the canonical JSON of the record
// without "hash". Canonical JSON is compact, with keys in byte order and UTF-8 unescaped, and
// lines are written in exactly that form, so any change to a line's bytes is detected. What a
// chain cannot show is the loss of whole records at the end; compare AuditSummary::last_hash
// with a copy kept elsewhere.
//
// The log must never hold a secret, a share, a nonce or a full token: the field names token,
// share, secret, nonce and key are refused; log token_fingerprint(token) instead.
//
// Thread-safety: one AuditLog per file is shared by the server's threads. append() holds the
// log's mutex while it writes and flushes one record, so records never interleave. The file is
// locked with flock(2): a second AuditLog on it, in this process or another, fails to open.
// Cost: every append ends with fdatasync(2), one disk flush per record (tens of microseconds
// on an NVMe drive with a write cache, milliseconds on rotating or network storage), and
// appends queue behind each other; in exchange a decision that was answered is on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace leea::validator {

// Field name -> value. Names: 1 to 32 characters from a-z 0-9 _.
using AuditEvent = std::map<std::string, std::string>;

inline constexpr size_t kMaxAuditFields = 32;
inline constexpr size_t kMaxAuditValueBytes = 1024;
inline constexpr size_t kMaxAuditLineBytes = size_t{64} << 10;

// The state of a log: how many records it holds and the hash of the last one (64 zeros when
// empty), which the next record's "prev" repeats.
struct AuditSummary {
  uint64_t records = 0;
  std::string last_hash;
};

class AuditLog {
 public:
  // Opens or creates the log at path (mode 0600, O_APPEND) and reads its last record to
  // continue the chain. Fails with Errc::refused when the last line is incomplete or its record
  // is damaged (verify_audit_log() names the problem), Errc::io when the file cannot be opened
  // or is locked by another AuditLog. REQUIRES: path's directory exists.
  static Result<AuditLog> open(const std::filesystem::path& path);

  AuditLog(AuditLog&& other) noexcept;
  AuditLog& operator=(AuditLog&& other) noexcept;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();  // closes the file and releases its lock

  // Appends one record and flushes it to disk. A "time" field (RFC 3339, UTC, milliseconds)
  // is added when the event has none. Returns the log's state after the append.
  // Fails with Errc::invalid_argument when a field name is malformed, reserved (seq, prev,
  // hash) or may hold a secret, a value exceeds kMaxAuditValueBytes, there are more than
  // kMaxAuditFields fields or the line would exceed kMaxAuditLineBytes; with Errc::io when
  // writing or flushing fails (a full disk, a file-size limit). What was written of the
  // record is then cut off again, so the log stays whole and the next append may succeed;
  // only if that cut fails does every append fail until the log is reopened.
  Result<AuditSummary> append(const AuditEvent& event);

  // The state after the last successful append (or as found by open).
  AuditSummary summary() const;

 private:
  struct Impl;
  explicit AuditLog(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

// Reads the whole log and checks every record and link. Returns its state. Fails with
// Errc::refused "audit log <path>: line <n>: <why>" at the first bad line: not a JSON record,
// not in canonical form, a hash that does not match (edited), a seq out of order or a prev
// that does not link (removed, inserted or reordered), an incomplete last line (truncated);
// with Errc::io when the file cannot be read.
Result<AuditSummary> verify_audit_log(const std::filesystem::path& path);

// "sha256:" and the first 8 bytes of SHA-256(token) in hex: names a token in the log without
// revealing it.
std::string token_fingerprint(std::string_view token);

}  // namespace leea::validator

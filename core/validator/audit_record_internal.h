// The audit log's record format, private to core/validator: encoding a record as one
// canonical JSON line and checking one line by itself (its form and its own hash). Links
// between records (seq order, prev) are the callers' concern. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.h"
#include "core/validator/audit.h"

namespace leea::validator {

// The "prev" of the first record.
inline const std::string kAuditGenesisHash(64, '0');

struct EncodedAuditRecord {
  std::string line;  // without the final '\n'
  std::string hash;
};

// The record with these fields, seq and prev, and its hash. Invalid UTF-8 in a value is
// replaced by U+FFFD. REQUIRES: fields has no key seq, prev or hash.
EncodedAuditRecord encode_audit_record(uint64_t seq, std::string_view prev,
                                       const AuditEvent& fields);

struct AuditRecordHead {
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
};

// The seq, prev and hash of a line that is a well-formed record whose hash matches. Fails with
// Errc::refused and the reason alone ("hash does not match the record (edited?)"), without
// file or line, for the caller to prefix.
Result<AuditRecordHead> check_audit_record(std::string_view line);

}  // namespace leea::validator

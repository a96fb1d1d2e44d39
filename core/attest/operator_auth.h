// Operator-signed requests: how `leea order register/revoke` proves to a validator that an
// order change comes from an operator it trusts.
//
// The operator signs, with a key listed in the validator's configuration:
//   "leea-operator-request-v1\n" METHOD "\n" PATH "\n" hex(SHA-256(body)) "\n" TIMESTAMP
// and sends X-Leea-Operator (its id), X-Leea-Timestamp (unix seconds) and X-Leea-Signature
// (base64url). The validator checks the key, the signature, that the timestamp is within
// the window of its clock, and (through its store) that the signature was never seen
// before, so a captured request cannot be replayed. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::attest {

inline constexpr int64_t kOperatorWindowSeconds = 300;

// The three headers for a request, signed at time now.
Result<std::map<std::string, std::string>> sign_operator_request(
    const crypto::PrivateKey& key, const std::string& operator_id, const std::string& method,
    const std::string& path, const std::string& body, int64_t now);

struct TrustedOperator {
  std::string id;
  crypto::PublicKey key;
};

struct VerifiedOperatorRequest {
  std::string operator_id;
  std::string signature_hash;  // hex SHA-256 of the signature: the replay-cache key
  int64_t timestamp = 0;
};

// Checks the headers (names in lower case) of a request. Fails with Errc::refused naming
// the check: "operator signature: missing", "... unknown operator 'x'", "... does not
// verify", "... timestamp outside the 300 s window".
Result<VerifiedOperatorRequest> verify_operator_request(
    const std::map<std::string, std::string>& headers, const std::string& method,
    const std::string& path, const std::string& body, const std::vector<TrustedOperator>& operators,
    int64_t now);

}  // namespace leea::attest

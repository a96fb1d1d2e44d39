// Operator-signed requests: how `leea order register/revoke` proves to a validator that an
// order change comes from an operator it trusts.
//
// The operator signs, with a key listed in the validator's configuration:
//   "leea-operator-request-v2\n" VALIDATOR_ID "\n" METHOD "\n" PATH "\n"
//   hex(SHA-256(body)) "\n" TIMESTAMP "\n" REQUEST_ID
// and sends X-Leea-Operator (its id), X-Leea-Timestamp (unix seconds), X-Leea-Request-Id
// (16 random bytes, base64url) and X-Leea-Signature (base64url). The validator checks the
// key, the signature over its own id (a request signed for one validator is refused by every
// other), that the timestamp is within the window of its clock, and (through its store) that
// the signed message was never seen before, so a captured request cannot be replayed.
//
// The replay key is the hash of what was signed, never of the signature: ECDSA signatures
// are malleable ((r, s) and (r, n-s) both verify), so keying on signature bytes let a
// captured request be replayed with its twin. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::attest {

inline constexpr int64_t kOperatorWindowSeconds = 300;

// The four headers for a request to the validator validator_id, signed at time now with a
// fresh random request id.
Result<std::map<std::string, std::string>> sign_operator_request(
    const crypto::PrivateKey& key, const std::string& operator_id, const std::string& validator_id,
    const std::string& method, const std::string& path, const std::string& body, int64_t now);

struct TrustedOperator {
  std::string id;
  crypto::PublicKey key;
};

struct VerifiedOperatorRequest {
  std::string operator_id;
  std::string request_hash;  // hex SHA-256 of the signed message: the replay-cache key
  int64_t timestamp = 0;
};

// Checks the headers (names in lower case) of a request that reached validator_id. Fails
// with Errc::refused naming the check: "operator signature: missing", "... unknown operator
// 'x'", "... malformed request id", "... does not verify", "... timestamp outside the 300 s
// window".
Result<VerifiedOperatorRequest> verify_operator_request(
    const std::map<std::string, std::string>& headers, const std::string& validator_id,
    const std::string& method, const std::string& path, const std::string& body,
    const std::vector<TrustedOperator>& operators, int64_t now);

}  // namespace leea::attest

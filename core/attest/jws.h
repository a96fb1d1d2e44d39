// Compact JSON Web Signatures (RFC 7515 §7.1) with ES256 only (RFC 7518 §3.4): the envelope of
// attestation tokens and proofs of possession.
//
// Verification is deliberately narrow. A token is at most kMaxJwsBytes of exactly three
// non-empty base64url segments (RFC 4648 §5, unpadded, canonical); the protected header is a
// JSON object whose "alg" is "ES256" (anything else, "none" and HS256 included, is refused by
// name); "crit" is refused, since no extension is understood; the signature is the 64-byte
// r || s. The verification key always comes from the caller: "jwk", "jku", "x5c" and "x5u"
// in a header are never read, because a key that a token names for itself proves nothing.
// The payload is parsed only after its signature verified. JSON is parsed strictly (bounded
// depth, no repeated member names).
// Every function is stateless and thread-safe; KeyResolver calls happen on the caller's
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::attest {

// The longest compact JWS accepted or produced.
inline constexpr size_t kMaxJwsBytes = 16 * 1024;

// A token whose structure and algorithm were checked but whose signature was not. Its
// header is safe to read for the key id; its payload is still bytes.
struct UnverifiedJws {
  nlohmann::json header;         // the protected header, a JSON object
  std::string kid;               // header "kid", empty when absent
  std::string signing_input;     // ASCII(BASE64URL(header) '.' BASE64URL(payload))
  std::vector<uint8_t> payload;  // decoded, not yet parsed
  std::vector<uint8_t> signature;
};

// A verified token.
struct JwsContent {
  nlohmann::json header;   // a JSON object
  nlohmann::json payload;  // a JSON object
  std::string kid;         // header "kid", empty when absent
};

// Finds the verification key for a key id ("" when the header has none). Returns the key,
// or the Error that verify_jws() passes on (typically Errc::refused naming why no key is
// trusted for this id).
using KeyResolver = std::function<Result<crypto::PublicKey>(std::string_view kid)>;

// Signs payload under a header made of header_extras plus "alg":"ES256". Returns the compact
// serialisation "b64.b64.b64". Fails with Errc::invalid_argument when key is not P-256,
// header_extras or payload is not a JSON object, header_extras sets "alg", a string is not
// UTF-8, or the token would exceed kMaxJwsBytes; Errc::internal if signing fails.
Result<std::string> sign_jws(const crypto::PrivateKey& key, const nlohmann::json& header_extras,
                             const nlohmann::json& payload);

// Checks the structure, the header and the algorithm, without verifying the signature.
// Fails with Errc::refused naming the failed check: "token: longer than 16384 bytes",
// "token: not a compact JWS (...)", "token header: ...", "token algorithm '<alg>' is not
// allowed", "token signature: must be 64 bytes (r||s)".
Result<UnverifiedJws> parse_jws(std::string_view token);

// The message of verify_jws_signature() when the signature does not verify with the key, so
// that callers can name the failure in their own terms.
inline constexpr std::string_view kBadSignature = "token signature: does not verify";

// Verifies jws's signature with key, then parses its payload. Returns header and payload.
// Fails with Errc::refused kBadSignature (also when key is not P-256), or "token payload:
// ..." when the payload is not a JSON object.
Result<JwsContent> verify_jws_signature(const UnverifiedJws& jws, const crypto::PublicKey& key);

// parse_jws, then the key resolve(kid) returns, then verify_jws_signature. Returns header and
// payload. Fails with the first failure of these three, the resolver's error passed on as is.
Result<JwsContent> verify_jws(std::string_view token, const KeyResolver& resolve);

}  // namespace leea::attest

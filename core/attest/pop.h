// Proof of possession of a token's confirmation key, after the idea of DPoP (RFC 9449): when
// a VM presents its token to a validator for a share, it also signs, with the ephemeral key
// named in the token's cnf claim, a short compact JWS (ES256, typ "leea-pop+jwt") whose
// payload is
//
//   {"aud": <validator id>, "ath": BASE64URL(SHA-256(token)), "iat": <unix s>, "jti": <16
//    random bytes, base64url>}
//
// so a token copied off the wire is worthless without the key that never left the VM, and a
// proof made for one validator or one token cannot be replayed to another. Within the
// window, the validator must remember the jti values it accepted and refuse a second use;
// verify_pop() returns the jti for that purpose. The proof carries the key's thumbprint as kid
// for diagnosis, but is verified only with the key from cnf.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::attest {

// How old a proof may be, in seconds, and how far in the future (clock skew) it may seem.
inline constexpr int64_t kDefaultPopWindow = 60;
inline constexpr int64_t kMaxPopWindow = 300;

// What a valid proof states.
struct PopClaims {
  int64_t issued_at = 0;
  std::string jti;  // 22 base64url characters; unique per proof
};

// Signs a proof of possession of eph for token, addressed to validator_id, dated now.
// Returns the compact JWS. Fails with Errc::invalid_argument when eph is not P-256,
// validator_id is not a valid id or token is empty or longer than kMaxJwsBytes;
// Errc::internal when the random generator or signing fails.
Result<std::string> make_pop(const crypto::PrivateKey& eph, std::string_view validator_id,
                             std::string_view token, int64_t now);
// As above, dated by the system clock.
Result<std::string> make_pop(const crypto::PrivateKey& eph, std::string_view validator_id,
                             std::string_view token);

// Verifies pop against the token's confirmation key cnf, for this validator and this token,
// at time now. Returns its iat and jti. Fails with Errc::refused "proof of possession: ..."
// naming the failed check: the JWS rules of jws.h, "wrong type" (typ), "signed by another
// key", "for another validator", "for another token", "too old" (iat before now - window),
// "issued in the future" (iat after now + window), "malformed jti".
// REQUIRES: 0 < window <= kMaxPopWindow (else Errc::invalid_argument).
Result<PopClaims> verify_pop(std::string_view pop, const crypto::PublicKey& cnf,
                             std::string_view validator_id, std::string_view token, int64_t now,
                             int64_t window = kDefaultPopWindow);
// As above with cnf as the JWK of a token's claims; a JWK that is not a P-256 public key
// fails with Errc::refused "proof of possession: JWK: ...".
Result<PopClaims> verify_pop(std::string_view pop, const crypto::Jwk& cnf,
                             std::string_view validator_id, std::string_view token, int64_t now,
                             int64_t window = kDefaultPopWindow);

}  // namespace leea::attest

// JSON Web Keys for tokens: a P-256 public key to and from its JWK (RFC 7517, RFC 7518 §6.2),
// and the JWK Set that `GET /v1/keys` serves (RFC 7517 §5).
//
// Only public EC P-256 keys are handled: they are the only keys that sign leea tokens
// (ES256) and the only ephemeral keys a VM presents. Importing checks that the point is on
// the curve; a JWK carrying a private part ("d") is refused rather than silently stripped,
// since whoever sent it leaked a key. Key ids are RFC 7638 thumbprints unless a JWKS names
// its own. Stateless and thread-safe; results are plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/pool.h"
#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::attest {

// The largest JWK Set jwks_keys() reads, and the most keys it holds (a pool's worth).
inline constexpr size_t kMaxJwksBytes = 64 * 1024;
inline constexpr size_t kMaxJwksKeys = 255;

// The public key a JWK describes. Returns the key. Fails with Errc::refused naming the
// failed check ("JWK: 'crv' must be P-256", "JWK: not a point on the curve", "JWK: holds a
// private key") for anything but a public EC P-256 key with 32-byte coordinates.
Result<crypto::PublicKey> public_key_from_jwk(const crypto::Jwk& jwk);
// The same for a key as the pool file holds it.
Result<crypto::PublicKey> public_key_from_jwk(const config::Jwk& jwk);

// Reads the members kty, crv, x and y of a JWK object (others are ignored, except that a
// private "d" is refused) and imports the key. Returns the Jwk as found, with the
// coordinates re-encoded canonically. Fails with Errc::refused as public_key_from_jwk, or
// "JWK: not an object" / "JWK: missing 'x'".
Result<crypto::Jwk> jwk_from_json(const nlohmann::json& j);

// {"crv":..,"kty":..,"x":..,"y":..} for a JWK as PublicKey::jwk() makes it.
nlohmann::json jwk_to_json(const crypto::Jwk& jwk);

// One key of a JWK Set with the id it is published under.
struct JwksKey {
  std::string kid;
  crypto::PublicKey key;
};

// The JWK Set {"keys":[{kty,crv,x,y,kid,use:"sig",alg:"ES256"}]} with kid the RFC 7638
// thumbprint of each key, in the order given. Fails with Errc::invalid_argument when a key
// is not P-256 or keys holds more than kMaxJwksKeys.
Result<std::string> jwks_json(const std::vector<crypto::PublicKey>& keys);

// Parses a JWK Set. Returns its keys in order; a key without "kid" gets its thumbprint.
// Fails with Errc::refused naming the failed check and the key's index: text over
// kMaxJwksBytes, not JSON, no "keys" array, more than kMaxJwksKeys keys, a key that is not
// a public P-256 key, "use" other than "sig", "alg" other than "ES256", or a kid repeated.
Result<std::vector<JwksKey>> jwks_keys(std::string_view json_text);

}  // namespace leea::attest

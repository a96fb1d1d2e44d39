// Message authentication and key derivation: HMAC (RFC 2104) with SHA-256/384/512, and
// HKDF (RFC 5869) extract and expand.
//
// HMAC tags are not secret and come back as plain vectors; anything HKDF derives is key
// material and comes back in SecretBytes. Tags are compared in constant time
// (CRYPTO_memcmp). Every function is stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/crypto/digest.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::crypto {

// Returns HMAC(key, data) with the given hash: digest_size(alg) bytes.
// Fails with Errc::internal only when OpenSSL cannot allocate. Any key length is allowed,
// including zero (RFC 2104 pads or hashes it to the block size).
Result<std::vector<uint8_t>> hmac(DigestAlg alg, std::span<const uint8_t> key,
                                  std::span<const uint8_t> data);
Result<std::vector<uint8_t>> hmac(DigestAlg alg, const SecretBytes& key,
                                  std::span<const uint8_t> data);

// Recomputes HMAC(key, data) and compares it with tag in constant time.
// Returns success when they match; Errc::refused "MAC verification failed" when they do not
// (a tag of the wrong length included); Errc::internal when OpenSSL fails.
Result<void> hmac_verify(DigestAlg alg, std::span<const uint8_t> key, std::span<const uint8_t> data,
                         std::span<const uint8_t> tag);
Result<void> hmac_verify(DigestAlg alg, const SecretBytes& key, std::span<const uint8_t> data,
                         std::span<const uint8_t> tag);

// HKDF-Extract (RFC 5869 §2.2): PRK = HMAC(salt, IKM), digest_size(alg) bytes.
// An empty salt means HashLen zero bytes, as the RFC specifies.
// Fails with Errc::internal only when OpenSSL fails.
Result<SecretBytes> hkdf_extract(DigestAlg alg, std::span<const uint8_t> salt,
                                 std::span<const uint8_t> ikm);
Result<SecretBytes> hkdf_extract(DigestAlg alg, std::span<const uint8_t> salt,
                                 const SecretBytes& ikm);

// HKDF-Expand (RFC 5869 §2.3): length bytes of OKM from a pseudorandom key.
// REQUIRES: prk.size() >= digest_size(alg) and 0 < length <= 255 * digest_size(alg);
// otherwise fails with Errc::invalid_argument.
Result<SecretBytes> hkdf_expand(DigestAlg alg, const SecretBytes& prk,
                                std::span<const uint8_t> info, size_t length);

// Extract then expand: the usual one-call HKDF. Same failures as hkdf_expand.
Result<SecretBytes> hkdf(DigestAlg alg, std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                         std::span<const uint8_t> info, size_t length);
Result<SecretBytes> hkdf(DigestAlg alg, std::span<const uint8_t> salt, const SecretBytes& ikm,
                         std::span<const uint8_t> info, size_t length);

}  // namespace leea::crypto

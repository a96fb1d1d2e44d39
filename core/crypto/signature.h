// ECDSA signature encodings: DER (X9.62 Ecdsa-Sig-Value, as in X.509 and TLS) and the
// fixed-width r || s form of JOSE (RFC 7518 §3.4), which SEV-SNP and TDX reports also use
// (with their own byte order). PrivateKey::sign and PublicKey::verify convert on their own;
// these functions serve formats that arrive from elsewhere. Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::crypto {

// The size of r || s for a key type: 64 for P-256 and Ed25519, 96 for P-384, 0 for X25519.
size_t raw_signature_size(KeyType type);

// DER SEQUENCE { r, s } to r || s, each big-endian and padded to the field size of type.
// Fails with Errc::invalid_data when der is not strict DER, has trailing bytes, or r or s
// does not fit the field. REQUIRES: type is p256 or p384 (else Errc::invalid_argument).
Result<std::vector<uint8_t>> ecdsa_der_to_raw(KeyType type, std::span<const uint8_t> der);

// r || s (two equal halves, big-endian) to DER. Fails with Errc::invalid_data when the
// length is not raw_signature_size(type). REQUIRES: type is p256 or p384.
Result<std::vector<uint8_t>> ecdsa_raw_to_der(KeyType type, std::span<const uint8_t> raw);

}  // namespace leea::crypto

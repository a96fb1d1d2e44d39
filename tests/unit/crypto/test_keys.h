// Helpers shared by the key tests: private keys built from published test vectors.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/crypto/keys.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/encoding.h"
#include "tests/unit/crypto/test_bytes.h"

namespace leea::test {

// PKCS#8 PrivateKeyInfo prefixes (RFC 5208) before the raw private key: RFC 8410 §7 for the
// Edwards and Montgomery curves, and for P-256 an ECPrivateKey (RFC 5915) with no public key,
// which OpenSSL recomputes from the scalar.
inline constexpr std::string_view kEd25519Pkcs8 = "302e020100300506032b657004220420";
inline constexpr std::string_view kX25519Pkcs8 = "302e020100300506032b656e04220420";
inline constexpr std::string_view kP256Pkcs8 =
    "3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420";

// PEM armour (RFC 7468), written independently of the code under test.
inline std::string pem(std::string_view label, std::span<const uint8_t> der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END " + std::string(label) + "-----\n";
}

inline crypto::SecretBytes secret_text(std::string_view text) {
  return crypto::SecretBytes::copy_of(as_bytes(text));
}

// Loads the private key whose raw value is scalar, wrapped in PKCS#8 PEM.
inline crypto::PrivateKey key_from_pkcs8(std::string_view prefix_hex,
                                         std::span<const uint8_t> scalar) {
  auto der = concat(unhex(prefix_hex), scalar);
  auto key = crypto::PrivateKey::from_pem(secret_text(pem("PRIVATE KEY", der)), "test vector");
  if (!key) {
    throw std::runtime_error(key.error().message);
  }
  return std::move(*key);
}

}  // namespace leea::test

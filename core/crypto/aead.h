// Authenticated encryption: AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a
// 128-bit tag, used to seal shares to a VM's ephemeral key and secrets at rest.
//
// seal() draws a fresh random nonce unless one is given; a nonce must never repeat under one
// key. open() checks the tag before it returns anything: on any change to the ciphertext,
// tag, nonce or associated data it fails with Errc::refused "authentication failed", and the
// partly decrypted buffer is wiped. Plaintext comes back in SecretBytes.
// Every function is stateless and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

using GcmNonce = std::array<uint8_t, kAesGcmNonceSize>;
using GcmTag = std::array<uint8_t, kAesGcmTagSize>;

// A sealed message. Nothing in it is secret.
struct Sealed {
  GcmNonce nonce{};
  std::vector<uint8_t> ciphertext;  // as long as the plaintext
  GcmTag tag{};

  // The wire form: nonce || ciphertext || tag.
  std::vector<uint8_t> to_bytes() const;
  // Splits the wire form. Fails with Errc::invalid_data when shorter than nonce + tag.
  static Result<Sealed> from_bytes(std::span<const uint8_t> bytes);
};

// Encrypts plaintext and authenticates it with aad under a fresh random nonce.
// REQUIRES: key.size() == kAesGcmKeySize (else Errc::invalid_argument).
// Fails with Errc::internal when OpenSSL or the random generator fails.
Result<Sealed> aes_gcm_seal(const SecretBytes& key, std::span<const uint8_t> plaintext,
                            std::span<const uint8_t> aad);

// As above with a caller-chosen nonce: for protocols that derive nonces and for test vectors.
// REQUIRES: the nonce is never reused with the same key.
Result<Sealed> aes_gcm_seal(const SecretBytes& key, const GcmNonce& nonce,
                            std::span<const uint8_t> plaintext, std::span<const uint8_t> aad);

// Checks and decrypts. Returns the plaintext, or Errc::refused "authentication failed" when
// the tag does not match. REQUIRES: key.size() == kAesGcmKeySize (else
// Errc::invalid_argument).
Result<SecretBytes> aes_gcm_open(const SecretBytes& key, const Sealed& sealed,
                                 std::span<const uint8_t> aad);
Result<SecretBytes> aes_gcm_open(const SecretBytes& key, const GcmNonce& nonce,
                                 std::span<const uint8_t> ciphertext, const GcmTag& tag,
                                 std::span<const uint8_t> aad);

}  // namespace leea::crypto

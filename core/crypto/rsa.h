// RSA public keys for verifying what TPMs sign and encrypting what they decrypt: RSASSA-
// PKCS1-v1_5 and RSASSA-PSS signature verification (RFC 8017 §8) and RSAES-OAEP encryption
// (RFC 8017 §7.1), with SHA-256, SHA-384 or SHA-512 as the hash (and as MGF1's hash).
//
// Keys come from their raw components, as TPM2B_PUBLIC carries them (big-endian modulus
// and a 32-bit exponent), or from an X.509 certificate's subject public key, and export as
// SPKI DER/PEM for tools such as tpm2_checkquote.
// RsaPublicKey is an immutable value, cheap to copy; its const member functions may be
// called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/digest.h"
#include "core/crypto/secret_bytes.h"
#include "core/crypto/x509.h"
#include "core/util/result.h"

namespace leea::crypto {

class RsaPublicKey {
 public:
  // modulus: big-endian, no more than one leading zero byte, 2048 to 8192 bits (odd);
  // exponent: odd and at least 3 (a TPM's 0 means 65537: map it before calling).
  // Errc::invalid_data naming the component that is out of range.
  static Result<RsaPublicKey> from_components(std::span<const uint8_t> modulus, uint32_t exponent);
  // The subject public key of cert (rsaEncryption SPKI), under the same limits as
  // from_components. Errc::invalid_data when the key is not RSA ("certificate public key:
  // not RSA"), its exponent does not fit 32 bits, or a component is out of range.
  static Result<RsaPublicKey> from_certificate(const Certificate& cert);

  size_t modulus_bits() const;
  // Big-endian modulus without leading zeros.
  const std::vector<uint8_t>& modulus() const;
  uint32_t exponent() const;
  // DER SubjectPublicKeyInfo (rsaEncryption) and its "PUBLIC KEY" PEM.
  const std::vector<uint8_t>& spki_der() const;
  std::string to_pem() const;

  // Verifies an RSASSA-PKCS1-v1_5 signature over message hashed with alg. Success when
  // valid; Errc::refused "signature verification failed" otherwise (wrong length included).
  Result<void> verify_pkcs1(DigestAlg alg, std::span<const uint8_t> message,
                            std::span<const uint8_t> signature) const;
  // The same for RSASSA-PSS with MGF1(alg); any salt length is accepted (TPMs use the
  // hash length or the maximum, depending on the version of the specification they follow).
  Result<void> verify_pss(DigestAlg alg, std::span<const uint8_t> message,
                          std::span<const uint8_t> signature) const;

  // RSAES-OAEP with hash and MGF1 hash alg and this label (bytes taken as given: a TPM's
  // "IDENTITY" label includes its terminating zero byte). Errc::invalid_argument when the
  // plaintext is too long for the key; Errc::internal when OpenSSL fails.
  Result<std::vector<uint8_t>> encrypt_oaep(DigestAlg alg, std::span<const uint8_t> label,
                                            const SecretBytes& plaintext) const;

  bool operator==(const RsaPublicKey& other) const;

 private:
  struct Impl;
  explicit RsaPublicKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace leea::crypto

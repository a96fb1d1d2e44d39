// Asymmetric keys: ECDSA P-256 and P-384, Ed25519 signatures, and ECDH over P-256, P-384
// and X25519 (for sealing shares to a VM's ephemeral key).
//
// PrivateKey owns an OpenSSL key; its secret part never leaves it except through
// save_pem(), which writes PKCS#8 PEM to a 0600 file atomically. PublicKey is an immutable
// value, cheap to copy. Signatures: ECDSA uses SHA-256 with P-256 and SHA-384 with P-384,
// in DER or in the fixed-width r||s form of JOSE (RFC 7518 §3.4); Ed25519 is pure
// Ed25519 (RFC 8032) and always 64 bytes. Public keys export as SPKI DER or PEM, as a
// "sha256:<16 hex>" fingerprint, and as a JWK (RFC 7517/7518, OKP per RFC 8037).
// Thread-safety: const member functions of both classes may be called from several threads
// at once. A moved-from PrivateKey may only be destroyed or assigned to.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/util/files.h"
#include "core/util/result.h"

namespace leea::crypto {

namespace internal {
struct KeyAccess;
}

enum class KeyType {
  p256,     // ECDSA P-256 with SHA-256 (JOSE ES256), or ECDH
  p384,     // ECDSA P-384 with SHA-384 (JOSE ES384), or ECDH
  ed25519,  // EdDSA signatures only
  x25519,   // key agreement only
};

// "P-256", "P-384", "Ed25519", "X25519": the JOSE curve names.
std::string_view key_type_name(KeyType type);

enum class SigFormat {
  der,  // ECDSA: DER SEQUENCE { r, s } (X9.62, as in X.509 and TLS)
  raw,  // ECDSA: r || s, each padded to the field size (JOSE)
};      // Ed25519 signatures are 64 raw bytes whichever format is asked for.

// A public key as a JWK. kty "EC" (crv, x, y) or "OKP" (crv, x); coordinates base64url
// without padding, fixed width.
struct Jwk {
  std::string kty;
  std::string crv;
  std::string x;
  std::string y;  // empty for OKP

  // The JSON object with the required members only, in lexicographic order and without
  // whitespace: exactly the RFC 7638 §3 thumbprint input. Members are not escaped; they hold
  // what PublicKey::jwk() puts there (curve names and base64url).
  std::string to_json() const;
  // RFC 7638 thumbprint: base64url(SHA-256(to_json())).
  std::string thumbprint() const;
};

class PublicKey {
 public:
  // Parses an SPKI "PUBLIC KEY" PEM block. source names the input in error messages.
  // Fails with Errc::invalid_data when there is no such block, it is malformed, or the key
  // is not one of the supported types.
  static Result<PublicKey> from_pem(std::string_view pem, std::string_view source);
  // Reads a PEM file (at most 64 KiB). Errors name the file; Errc::io when unreadable.
  static Result<PublicKey> load_pem(const std::filesystem::path& path);
  // Parses SubjectPublicKeyInfo DER; trailing bytes are refused. Errc::invalid_data.
  static Result<PublicKey> from_spki_der(std::span<const uint8_t> der, std::string_view source);
  // From the raw public value: for P-256/P-384 the uncompressed SEC1 point 0x04||X||Y, for
  // Ed25519/X25519 the 32-byte string. Fails with Errc::invalid_data when the length is
  // wrong or the point is not on the curve.
  static Result<PublicKey> from_raw(KeyType type, std::span<const uint8_t> raw);

  KeyType type() const;
  // DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). Lives as long as this object.
  const std::vector<uint8_t>& spki_der() const;
  std::string to_pem() const;
  // The raw public value, in the form from_raw() takes.
  std::vector<uint8_t> raw() const;
  // "sha256:" + hex of the first 8 bytes of SHA-256(SPKI DER): for logs and listings.
  std::string fingerprint() const;
  Jwk jwk() const;

  // Verifies signature over message (hashed here as the key type prescribes).
  // Returns success when valid; Errc::refused "signature verification failed" when not,
  // malformed signatures included; Errc::invalid_argument for an X25519 key.
  Result<void> verify(std::span<const uint8_t> message, std::span<const uint8_t> signature,
                      SigFormat format = SigFormat::der) const;

  // Same type and same public value.
  bool operator==(const PublicKey& other) const;

 private:
  struct Impl;
  explicit PublicKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
  friend struct internal::KeyAccess;
};

class PrivateKey {
 public:
  // A fresh key from the system CSPRNG. Fails with Errc::internal only if OpenSSL fails.
  static Result<PrivateKey> generate(KeyType type);
  // Reads an unencrypted PKCS#8 "PRIVATE KEY" PEM file (SEC1 "EC PRIVATE KEY" is accepted
  // too) straight into locked memory. Errors name the file: Errc::io when unreadable,
  // Errc::invalid_data when it holds no private key, a truncated or malformed one, an
  // encrypted one, or an unsupported type.
  static Result<PrivateKey> load_pem(const std::filesystem::path& path);
  // As load_pem, from PEM text already in memory; source names it in error messages.
  static Result<PrivateKey> from_pem(const SecretBytes& pem, std::string_view source);

  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // Writes PKCS#8 PEM to path through AtomicFile with mode 0600. By default an existing file
  // is never replaced (Errc::io, EEXIST). REQUIRES: the parent directory exists.
  Result<void> save_pem(const std::filesystem::path& path,
                        AtomicFile::Mode mode = AtomicFile::Mode::create_new) const;

  KeyType type() const;
  // The matching public key; lives as long as this object (copy it to keep it longer).
  const PublicKey& public_key() const;

  // Signs message. Returns the signature in the requested format (see SigFormat).
  // Fails with Errc::invalid_argument for an X25519 key, Errc::internal if OpenSSL fails.
  Result<std::vector<uint8_t>> sign(std::span<const uint8_t> message,
                                    SigFormat format = SigFormat::der) const;

  // ECDH (SEC1 §3.3.1, the x-coordinate) or X25519 (RFC 7748 §6.1) with peer's key.
  // Returns the raw shared secret; feed it to HKDF, never use it as a key directly.
  // Fails with Errc::invalid_argument when the types differ or the type cannot agree keys
  // (Ed25519), Errc::refused when the result is all zero (a small-order X25519 point).
  Result<SecretBytes> derive_shared_secret(const PublicKey& peer) const;

 private:
  struct Impl;
  explicit PrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct internal::KeyAccess;
};

}  // namespace leea::crypto

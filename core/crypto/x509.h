// X.509 certificates (RFC 5280): parsing, field access, chain verification against pinned
// roots at a given time, and issuing small certificates for TLS identities and test roots.
//
// A Certificate is an immutable value, cheap to copy, safe to use from several threads.
// verify_chain() never reads the clock: the caller passes the verification time, so that
// evidence is judged at the time it is checked against, and tests are reproducible. Only
// the pinned roots are trusted; the system trust store is never consulted.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/keys.h"
#include "core/util/result.h"

namespace leea::crypto {

namespace internal {
struct CertAccess;
}

class Certificate {
 public:
  // Parses one DER certificate; trailing bytes are refused. source names the input in
  // error messages. Fails with Errc::invalid_data.
  static Result<Certificate> from_der(std::span<const uint8_t> der, std::string_view source);
  // The first "CERTIFICATE" block in PEM text. Errc::invalid_data when there is none or it
  // is malformed.
  static Result<Certificate> from_pem(std::string_view pem, std::string_view source);
  // Every "CERTIFICATE" block, in file order (other PEM blocks are skipped). Fails with
  // Errc::invalid_data when there is none or any is malformed or truncated.
  static Result<std::vector<Certificate>> all_from_pem(std::string_view pem,
                                                       std::string_view source);
  // Reads a file holding one certificate, PEM or DER (at most 1 MiB). Errors name the file.
  static Result<Certificate> load(const std::filesystem::path& path);
  // Reads a PEM file holding one or more certificates (a chain or a bundle).
  static Result<std::vector<Certificate>> load_all(const std::filesystem::path& path);

  // The DER encoding. Lives as long as this object.
  const std::vector<uint8_t>& der() const;
  std::string to_pem() const;
  // Distinguished names in RFC 2253 form ("CN=SEV-Milan,O=Advanced Micro Devices,...").
  const std::string& subject() const;
  const std::string& issuer() const;
  // The validity period (RFC 5280 §4.1.2.5) as Unix seconds.
  int64_t not_before() const;
  int64_t not_after() const;
  // SHA-256 over the DER encoding.
  std::array<uint8_t, 32> sha256_fingerprint() const;
  // The subject public key. Fails with Errc::invalid_data for key types PublicKey does not
  // support (RSA, as in AMD's ARK and ASK).
  Result<PublicKey> public_key() const;
  // The DER value (the contents of extnValue) of the extension with this dotted OID, or
  // nullopt when absent. Fails with Errc::invalid_argument when oid is not a dotted OID,
  // and with Errc::invalid_data when the extension occurs twice (RFC 5280 §4.2).
  Result<std::optional<std::vector<uint8_t>>> extension(std::string_view oid) const;

 private:
  struct Impl;
  explicit Certificate(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
  friend struct internal::CertAccess;
};

// The value of the first CN in an RFC 2253 distinguished name (Certificate::subject()), or ""
// when it has none: "CN=SEV-Milan,O=Advanced Micro Devices" -> "SEV-Milan".
std::string common_name(std::string_view dn);

// Verifies that leaf chains to one of roots through intermediates, at time `at`:
// signatures (self-signed roots included), validity periods, CA basic constraints, path
// lengths and key usage. Returns success, or Errc::refused with OpenSSL's reason and where
// it failed, e.g. "certificate chain: certificate has expired (depth 0, CN=...)".
// REQUIRES: roots is not empty (else Errc::invalid_argument). Roots must be self-signed:
// the chain has to reach one, so pinning an intermediate alone verifies nothing.
// Intermediates may come in any order and may include unrelated certificates.
Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                          std::span<const Certificate> roots,
                          std::chrono::system_clock::time_point at);
Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                          std::span<const Certificate> roots, int64_t at_unix_seconds);

// What to put in a new certificate. Every member has a default, so designated initializers
// may name only what they set.
struct CertificateSpec {
  std::string common_name{};
  // "DNS:validator-1.example", "IP:127.0.0.1", "IP:::1", "URI:spiffe://..."
  std::vector<std::string> subject_alt_names{};
  int validity_days = 365;
  // A CA certificate (basicConstraints CA:TRUE, keyCertSign) or an end-entity one for TLS
  // (CA:FALSE, digitalSignature, serverAuth and clientAuth).
  bool is_ca = false;
  // Start of validity as Unix seconds; by default five minutes before now, so that peers
  // whose clocks lag a little accept a fresh certificate.
  std::optional<int64_t> not_before{};
};

// A self-signed certificate for key, as PEM. The serial number is 128 random bits.
// Fails with Errc::invalid_argument when the common name is empty or too long (over 64
// characters), validity_days is not positive, a subject alternative name is malformed, or
// key is an X25519 key (it cannot sign); Errc::internal when OpenSSL fails.
Result<std::string> make_self_signed(const PrivateKey& key, const CertificateSpec& spec);

// A certificate for subject_key signed by issuer_key, whose certificate is issuer, as PEM.
// Same failures as make_self_signed; also Errc::invalid_argument when issuer_key does not
// match issuer's public key.
Result<std::string> issue_certificate(const PrivateKey& issuer_key, const Certificate& issuer,
                                      const PublicKey& subject_key, const CertificateSpec& spec);

}  // namespace leea::crypto

// TPM 2.0 structures as they travel in the big-endian canonical form of the TCG TPM 2.0
// Library, Part 2: the pieces a quote verifier reads (TPMT_PUBLIC, TPMS_ATTEST for a quote,
// TPMT_SIGNATURE) and the few it writes (an object's Name, TPM2B wrappers).
//
// Every parser is bounded and total: bytes in, a value or Errc::invalid_data naming the
// field out; it never reads past its input, refuses trailing bytes, and caps every list
// and size (fuzzable as is). Parsing proves form only; nothing here checks a signature.
// No tss2 type appears here: these parsers need no TPM and no tpm2-tss. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/digest.h"
#include "core/crypto/keys.h"
#include "core/crypto/rsa.h"
#include "core/util/result.h"

namespace leea::tee::tpm {

// TPM_ALG_ID values used here (Part 2 §6.3).
namespace alg {
inline constexpr uint16_t rsa = 0x0001;
inline constexpr uint16_t sha1 = 0x0004;
inline constexpr uint16_t hmac = 0x0005;
inline constexpr uint16_t aes = 0x0006;
inline constexpr uint16_t keyedhash = 0x0008;
inline constexpr uint16_t sha256 = 0x000b;
inline constexpr uint16_t sha384 = 0x000c;
inline constexpr uint16_t sha512 = 0x000d;
inline constexpr uint16_t null = 0x0010;
inline constexpr uint16_t rsassa = 0x0014;
inline constexpr uint16_t rsaes = 0x0015;
inline constexpr uint16_t rsapss = 0x0016;
inline constexpr uint16_t oaep = 0x0017;
inline constexpr uint16_t ecdsa = 0x0018;
inline constexpr uint16_t ecdh = 0x0019;
inline constexpr uint16_t ecdaa = 0x001a;
inline constexpr uint16_t ecschnorr = 0x001c;
inline constexpr uint16_t ecc = 0x0023;
inline constexpr uint16_t symcipher = 0x0025;
inline constexpr uint16_t cfb = 0x0043;
}  // namespace alg

inline constexpr uint16_t kEccNistP256 = 0x0003;
inline constexpr uint16_t kEccNistP384 = 0x0004;
inline constexpr uint32_t kTpmGeneratedValue = 0xff544347;
inline constexpr uint16_t kStAttestQuote = 0x8018;

// TPMA_OBJECT bits (Part 2 §8.3).
namespace attr {
inline constexpr uint32_t fixed_tpm = 1u << 1;
inline constexpr uint32_t fixed_parent = 1u << 4;
inline constexpr uint32_t sensitive_data_origin = 1u << 5;
inline constexpr uint32_t user_with_auth = 1u << 6;
inline constexpr uint32_t admin_with_policy = 1u << 7;
inline constexpr uint32_t no_da = 1u << 10;
inline constexpr uint32_t restricted = 1u << 16;
inline constexpr uint32_t decrypt = 1u << 17;
inline constexpr uint32_t sign = 1u << 18;
}  // namespace attr

// "sha256" for alg::sha256 and so on; "0x....": any other.
std::string alg_name(uint16_t alg);
// Digest size of a hash algorithm (sha1/256/384/512), or 0 when it is not one.
size_t hash_size(uint16_t alg);

// TPMT_PUBLIC of an RSA or ECC key (the kinds that sign quotes or serve as EKs).
struct Public {
  uint16_t type = 0;  // alg::rsa or alg::ecc
  uint16_t name_alg = 0;
  uint32_t attributes = 0;
  std::vector<uint8_t> auth_policy;
  uint16_t symmetric = alg::null;  // alg::aes for storage keys such as an EK
  uint16_t sym_bits = 0;
  uint16_t sym_mode = 0;
  uint16_t scheme = alg::null;       // signing or encryption scheme, alg::null when none
  uint16_t scheme_hash = alg::null;  // its hash, alg::null when none
  // RSA
  uint16_t rsa_bits = 0;
  uint32_t rsa_exponent = 0;  // as stored: 0 means 65537
  std::vector<uint8_t> rsa_modulus;
  // ECC
  uint16_t curve = 0;
  uint16_t kdf = alg::null;
  std::vector<uint8_t> ecc_x;
  std::vector<uint8_t> ecc_y;

  std::vector<uint8_t> encoded;  // the TPMT_PUBLIC bytes as parsed (what the Name hashes)

  // nameAlg ‖ H_nameAlg(encoded) (Part 1 §16). Empty when name_alg is not a supported hash.
  std::vector<uint8_t> name() const;
  // The attributes of a restricted signing key that never leaves its TPM (an AK).
  bool is_restricted_signing_key() const;
  // The RSA public key (an exponent of 0 is 65537). Errc::invalid_data when this is not an
  // RSA key or its modulus is out of crypto::RsaPublicKey's bounds.
  Result<crypto::RsaPublicKey> rsa_key() const;
  // The ECC public key on NIST P-256 or P-384, coordinates left-padded to the curve's size.
  // Errc::invalid_data when this is not such a key.
  Result<crypto::PublicKey> ecc_key() const;
};

// The digest of a TPM hash algorithm id (alg::sha256, ...), or nullopt for others.
std::optional<crypto::DigestAlg> digest_alg(uint16_t hash);

// TPMT_PUBLIC, exactly these bytes (max 1024).
Result<Public> parse_public(std::span<const uint8_t> bytes);
// TPM2B_PUBLIC: 16-bit size, then TPMT_PUBLIC of that size, nothing after it.
Result<Public> parse_public_2b(std::span<const uint8_t> bytes);
// A TPM2B_PUBLIC or a bare TPMT_PUBLIC (tpm2-tools writes the former, go-tpm-tools the latter).
Result<Public> parse_public_any(std::span<const uint8_t> bytes);
// TPM2B wrapper: 16-bit big-endian size then bytes. REQUIRES bytes.size() <= 0xffff.
std::vector<uint8_t> tpm2b(std::span<const uint8_t> bytes);

struct PcrSelection {
  uint16_t hash = 0;
  std::vector<uint32_t> pcrs;  // ascending
};

// TPMS_ATTEST whose attested part is a TPMS_QUOTE_INFO.
struct QuoteAttest {
  uint32_t magic = 0;
  uint16_t type = 0;
  std::vector<uint8_t> qualified_signer;
  std::vector<uint8_t> extra_data;
  uint64_t clock = 0;
  uint32_t reset_count = 0;
  uint32_t restart_count = 0;
  bool safe = false;
  uint64_t firmware_version = 0;
  std::vector<PcrSelection> selections;  // at most 16 banks, each at most 32 octets of bits
  std::vector<uint8_t> pcr_digest;
};

// TPMS_ATTEST (max 1024 bytes). A magic other than TPM_GENERATED_VALUE or a type other than
// TPM_ST_ATTEST_QUOTE is reported as invalid data naming the field, since the rest of the
// structure cannot be read as a quote.
Result<QuoteAttest> parse_quote_attest(std::span<const uint8_t> bytes);

// TPMT_SIGNATURE of an RSA (RSASSA, RSAPSS) or ECDSA signature.
struct Signature {
  uint16_t alg = 0;
  uint16_t hash = 0;
  std::vector<uint8_t> rsa;  // RSASSA / RSAPSS
  std::vector<uint8_t> r;    // ECDSA
  std::vector<uint8_t> s;
};
Result<Signature> parse_signature(std::span<const uint8_t> bytes);

}  // namespace leea::tee::tpm

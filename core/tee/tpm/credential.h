// Attestation-key enrolment: proof that an AK lives in the same TPM as an EK (TPM 2.0
// Part 1 §24, "credential protection"), and the EK certificate check.
//
// The verifier makes a credential in software (make_credential, no TPM needed): a random
// seed protected to the EK (RSA EK: RSAES-OAEP with label "IDENTITY"; ECC EK: ephemeral
// ECDH and KDFe), then symKey = KDFa(nameAlg, seed, "STORAGE", name(AK)), encIdentity =
// AES-CFB(symKey, IV 0, TPM2B(credential)), HMACkey = KDFa(nameAlg, seed, "INTEGRITY"),
// outerHMAC = HMAC(HMACkey, encIdentity ‖ name(AK)). Only the TPM holding the EK's private
// key can unwrap it, and only for an object with that exact Name (Device::activate_credential).
// Thread-safe; the credential and seed are wiped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/crypto/x509.h"
#include "core/tee/tpm/device.h"
#include "core/tee/tpm/structures.h"
#include "core/util/result.h"

namespace leea::tee::tpm {

struct Credential {
  std::vector<uint8_t> blob;    // TPM2B_ID_OBJECT
  std::vector<uint8_t> secret;  // TPM2B_ENCRYPTED_SECRET
};

// REQUIRES ek: an RSA-2048 (any exponent) or ECC P-256/P-384 storage key with an AES
// symmetric (an EK); nameAlg SHA-256/384/512; credential no longer than the nameAlg digest.
// Errc::invalid_argument otherwise.
Result<Credential> make_credential(const Public& ek, std::span<const uint8_t> ak_name,
                                   const crypto::SecretBytes& credential);

struct Enrolment {
  std::vector<uint8_t> ak_public;  // TPM2B_PUBLIC: what goes in the order's tpm.ak
  std::vector<uint8_t> ak_name;
  std::vector<uint8_t> ek_public;  // TPM2B_PUBLIC
  bool credential_activated = false;
  // Without roots: "absent" (no certificate in NV) or "not checked". With roots: "verified",
  // or why it was not, starting "EK certificate: " (check_ek_certificate's message, or
  // "EK certificate: absent from the TPM's NV, but EK roots were given").
  std::string ek_certificate;
  bool ok() const;  // activated, and the EK certificate verified, absent or not checked
};

// The EK certificate check, on its own: cert_der (DER, as read from the EK certificate NV
// index) chains to one of roots through intermediates at time now (verify_chain), and its
// subject public key is ek's: for an RSA EK the same modulus and exponent (the TPM's 0
// meaning 65537), for an ECC EK the same curve (P-256 or P-384) and point. Fails with a
// message starting "EK certificate: " and naming the check that failed: Errc::refused when
// cert_der is not a certificate, does not chain, or certifies another key (Errc::internal
// when OpenSSL fails). REQUIRES roots not empty (Errc::invalid_argument).
Result<void> check_ek_certificate(const Public& ek, std::span<const uint8_t> cert_der,
                                  std::span<const crypto::Certificate> roots,
                                  std::span<const crypto::Certificate> intermediates, int64_t now);

// Makes the AK and proves with a fresh random credential that it lives beside the EK
// (ek_alg, default template). When roots are given the EK certificate must be in NV and pass
// check_ek_certificate at time now (else ok() is false: asking for the check and getting no
// certificate is a failure, not a pass). intermediates may be empty.
Result<Enrolment> enrol(Device& device, KeyAlg ak_alg, KeyAlg ek_alg,
                        std::span<const crypto::Certificate> roots,
                        std::span<const crypto::Certificate> intermediates, int64_t now);

}  // namespace leea::tee::tpm

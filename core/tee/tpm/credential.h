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
  // "absent" (no certificate in NV), "not checked" (no roots given), "verified", or the reason
  // the check failed.
  std::string ek_certificate;
  bool ok() const;  // activated, and the EK certificate verified or absent/not checked
};

// Makes the AK, proves with a fresh random credential that it lives beside the EK (ek_alg,
// default template), and, when roots are given and the TPM holds an EK certificate,
// checks it chains to them at time now and certifies this EK. intermediates may be empty.
Result<Enrolment> enrol(Device& device, KeyAlg ak_alg, KeyAlg ek_alg,
                        std::span<const crypto::Certificate> roots,
                        std::span<const crypto::Certificate> intermediates, int64_t now);

}  // namespace leea::tee::tpm

// A TPM 2.0 reached through tpm2-tss (ESAPI), for the operations leea needs: extend and read
// PCRs, make the attestation key, quote, read the EK and its certificate, and activate a
// credential. tss2 types never leave this file's implementation: inputs and outputs are
// bytes in the TPM's canonical form (parse them with structures.h).
//
// The attestation key (AK) is a primary key of the endorsement hierarchy made from a fixed
// template: restricted, fixedTPM/fixedParent, sensitiveDataOrigin, userWithAuth, sign;
// ECC NIST P-256 with ECDSA-SHA256, or RSA-2048 with RSASSA-SHA256; nameAlg SHA-256, empty
// auth and policy, empty unique. A primary key is derived from the hierarchy's seed and the
// template, so the same TPM gives the same AK on every boot until the endorsement seed
// changes (TPM2_Clear does not change it): nothing is persisted in NV, and the AK enrolled
// in an order stays valid. The EKs are made from the TCG EK Credential Profile default
// templates (L-1 RSA-2048, L-2 ECC P-256), whose certificates live at NV 0x01c00002 and
// 0x01c0000a.
//
// A Device owns one ESYS_CONTEXT and its TCTI and flushes every transient object it made.
// Not thread-safe: one Device per thread. Errors: Errc::unavailable when the TCTI cannot be
// opened, Errc::internal with the TPM's response code decoded (Tss2_RC_Decode) otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::tee::tpm {

enum class KeyAlg { ecc, rsa };  // AK: P-256 / RSA-2048; EK: templates L-2 / L-1

struct DeviceQuote {
  std::vector<uint8_t> attest;     // TPMS_ATTEST
  std::vector<uint8_t> signature;  // TPMT_SIGNATURE
};

class Device {
 public:
  // tcti: "device:/dev/tpmrm0", "swtpm:host=127.0.0.1,port=2321", or any string
  // Tss2_TctiLdr_Initialize takes ("name:config").
  static Result<Device> open(const std::string& tcti);
  Device(Device&&) noexcept;
  Device& operator=(Device&&) noexcept;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  ~Device();

  // TPM2B_PUBLIC of the AK (made on first use, kept loaded for this Device's lifetime).
  Result<std::vector<uint8_t>> ak_public(KeyAlg alg);
  // TPM2B_PUBLIC of the EK made from the default template.
  Result<std::vector<uint8_t>> ek_public(KeyAlg alg);
  // The EK certificate (DER) from its NV index, or nullopt when the index is not defined.
  Result<std::optional<std::vector<uint8_t>>> ek_certificate(KeyAlg alg);

  // Extends digest into the sha256 bank of pcr (0..23).
  Result<void> extend_sha256(int pcr, std::span<const uint8_t, 32> digest);
  // The sha256-bank value of pcr.
  Result<std::vector<uint8_t>> read_sha256(int pcr);
  // TPM2_PCR_Reset (allowed at locality 0 for PCR 16 and 23 only; for tests).
  Result<void> reset_pcr(int pcr);

  // A quote by the AK over these sha256-bank PCRs with qualifying data (at most 64 bytes),
  // signed with the AK's scheme.
  Result<DeviceQuote> quote(KeyAlg ak, std::span<const uint8_t> qualifying_data,
                            std::span<const int> pcrs);

  // TPM2_ActivateCredential with the AK as the activated object and the EK (default
  // template, policy session PolicySecret(TPM_RH_ENDORSEMENT)) as the decrypting key.
  // credential_blob is a TPM2B_ID_OBJECT and secret a TPM2B_ENCRYPTED_SECRET, as
  // make_credential writes them. Errc::refused when the TPM cannot unwrap them (integrity
  // failure: another EK, another AK name).
  Result<crypto::SecretBytes> activate_credential(KeyAlg ak, KeyAlg ek,
                                                  std::span<const uint8_t> credential_blob,
                                                  std::span<const uint8_t> secret);

 private:
  struct Impl;
  explicit Device(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leea::tee::tpm

// The key derivation functions and the symmetric mode of TPM 2.0 (TCG TPM 2.0 Library,
// Part 1 §11.4.10 and §11.4.6.3), for the verifier's side of credential activation
// (MakeCredential, Part 1 §24) done in software.
//
// KDFa: SP 800-108 counter mode with HMAC(hash); K(i) = HMAC(key, [i]32 ‖ label ‖ 0x00 ‖
//       contextU ‖ contextV ‖ [bits]32), concatenated and cut to bits.
// KDFe: SP 800-56A concatenation KDF; K(i) = hash([i]32 ‖ Z ‖ label ‖ 0x00 ‖ partyUInfo ‖
//       partyVInfo), concatenated and cut to bits.
// The label is given without its terminating zero byte; it is added here. bits must be a
// positive multiple of 8 and at most 8192 (Errc::invalid_argument otherwise). Outputs are
// key material, in SecretBytes. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/crypto/digest.h"
#include "core/crypto/secret_bytes.h"
#include "core/util/result.h"

namespace leea::crypto {

Result<SecretBytes> tpm_kdfa(DigestAlg alg, const SecretBytes& key, std::string_view label,
                             std::span<const uint8_t> context_u, std::span<const uint8_t> context_v,
                             size_t bits);

Result<SecretBytes> tpm_kdfe(DigestAlg alg, const SecretBytes& z, std::string_view label,
                             std::span<const uint8_t> party_u_info,
                             std::span<const uint8_t> party_v_info, size_t bits);

// AES in CFB mode with a 128-bit segment (CFB128, as TPM2_ALG_CFB), the key 16 or 32 bytes.
// The TPM encrypts credentials with an all-zero IV. Errc::invalid_argument for another key
// or IV size, Errc::internal when OpenSSL fails.
Result<std::vector<uint8_t>> aes_cfb_encrypt(const SecretBytes& key, std::span<const uint8_t> iv,
                                             std::span<const uint8_t> plaintext);
Result<SecretBytes> aes_cfb_decrypt(const SecretBytes& key, std::span<const uint8_t> iv,
                                    std::span<const uint8_t> ciphertext);

}  // namespace leea::crypto
